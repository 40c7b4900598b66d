namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>Bound from <c>RagFunctions:Chunking</c>.</summary>
public sealed class ChunkingOptions
{
    public const string Section = "RagFunctions:Chunking";

    /// <summary>Upper bound of tokens per chunk.</summary>
    public int MaxTokens { get; set; } = 512;

    /// <summary>Tokens repeated from the end of the previous chunk at the start of the next.</summary>
    public int OverlapTokens { get; set; } = 64;
}
