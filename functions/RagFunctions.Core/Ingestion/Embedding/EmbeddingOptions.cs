namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>Bound from <c>RagFunctions:Embedding</c>.</summary>
public sealed class EmbeddingOptions
{
    public const string Section = "RagFunctions:Embedding";

    /// <summary>The local embedder: <c>minilm</c> (all-MiniLM-L6-v2, the default), <c>arctic-xs</c> (snowflake-arctic-embed-xs)
    /// or <c>lexical</c> (hashed n-grams, no model). Ignored when an OpenAI-compatible embedding model is configured.</summary>
    public string Model { get; set; } = "minilm";

    /// <summary>ONNX Runtime threads per model call of a local neural embedder. 1 (the default) leaves the cores to the
    /// documents and embedding batches that already run in parallel: measured on 2 cores (docs/retrieval-eval.md,
    /// "Throughput"), 1 thread × 4 parallel calls embeds 44 chunks/s against 42 for 2 threads × 1 call, with less CPU per chunk,
    /// and holds up better when other work shares the machine.</summary>
    public int IntraOpThreads { get; set; } = 1;

    /// <summary>Vector dimensions; the index and the embedder must agree.</summary>
    public int Dimensions { get; set; } = 384;

    /// <summary>Most inputs in one embedding call.</summary>
    public int MaxBatchInputs { get; set; } = 16;

    /// <summary>Most estimated tokens in one embedding call.</summary>
    public int MaxBatchTokens { get; set; } = 8000;

    /// <summary>Retries after the first attempt on 429/5xx/timeouts.</summary>
    public int MaxRetries { get; set; } = 5;

    /// <summary>First backoff delay; doubles with jitter; a server's Retry-After wins when given.</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest single wait, whatever Retry-After says.</summary>
    public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);
}
