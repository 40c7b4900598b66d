namespace RagFunctions.Core.Ingestion;

/// <summary>Bound from <c>RagFunctions:Ingestion</c>.</summary>
public sealed class IngestionOptions
{
    public const string Section = "RagFunctions:Ingestion";

    /// <summary>Local drop folder watched for documents; empty means <c>{RagFunctions:Local:DataDirectory}/documents</c>.</summary>
    public string DropFolder { get; set; } = "";

    /// <summary>Largest accepted upload, in bytes (default 50 MB).</summary>
    public long MaxUploadBytes { get; set; } = 50L * 1024 * 1024;

    /// <summary>How many embedding batches of one document run at once in the local runner (Durable uses host.json limits).</summary>
    public int MaxParallelEmbeddingBatches { get; set; } = 4;

    /// <summary>How many documents the local host ingests at once.</summary>
    public int MaxParallelDocuments { get; set; } = 2;

    /// <summary>Durable only: attempts per ingestion activity (first try included) before the document ends <c>failed</c>;
    /// 1 disables retries. Every activity is idempotent, so a retry repeats nothing that already took effect.</summary>
    public int ActivityMaxAttempts { get; set; } = 3;

    /// <summary>Durable only: wait before the first retry of a failed activity; each further retry waits twice as long.</summary>
    public TimeSpan ActivityFirstRetryInterval { get; set; } = TimeSpan.FromSeconds(5);
}
