using Microsoft.Extensions.AI;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>What an embedding input is: a search query or a passage to index. Asymmetric models (e.g. arctic-embed) read a
/// query with an instruction prefix and a passage without; the embedder, not its callers, knows the prefix, so callers only
/// say which kind of input they send. Absent = passage.</summary>
public static class EmbeddingInput
{
    /// <summary>Key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>; value <see cref="Query"/> or <see cref="Passage"/>.</summary>
    public const string KindKey = "ragfunctions.input_kind";
    public const string Query = "query";
    public const string Passage = "passage";

    /// <summary>Options marking the inputs as search queries (a new instance each call: options objects are mutable).</summary>
    public static EmbeddingGenerationOptions ForQuery() => new() { AdditionalProperties = new() { [KindKey] = Query } };

    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(KindKey, out var kind) == true && kind is Query;
}
