using System.Text.Json.Serialization;

namespace RagFunctions.Core.Ingestion.Catalog;

/// <summary>Where a document is in its ingestion. Serialised lower-case (<c>queued</c>, <c>indexed</c>, ...).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DocumentStatus>))]
public enum DocumentStatus
{
    [JsonStringEnumMemberName("queued")] Queued,
    [JsonStringEnumMemberName("extracting")] Extracting,
    [JsonStringEnumMemberName("embedding")] Embedding,
    [JsonStringEnumMemberName("indexed")] Indexed,
    [JsonStringEnumMemberName("failed")] Failed,
}

/// <summary>The catalog entry of one source document.</summary>
/// <param name="Id">Stable for the source path (see <see cref="DocumentIds"/>).</param>
/// <param name="SourcePath">Path relative to the drop folder / blob container, forward slashes.</param>
/// <param name="ContentHash">SHA-256 (hex) of the bytes last seen; a re-drop with the same hash is skipped.</param>
/// <param name="Detail">Human-readable note, e.g. the failure reason or "unchanged content, re-ingest skipped".</param>
/// <param name="StageMilliseconds">Duration per stage of the last run (extract, chunk, embed, index).</param>
/// <param name="Attempts">Extractions of this content started and not (yet) finished: incremented before extraction
/// starts, reset when a run ends (indexed or failed) or the content changes. A value above zero when a new attempt
/// starts means the earlier ones died with their worker (see <see cref="QuarantineReason"/>).</param>
/// <param name="Embedding">Of the last indexed run: chunks the embedder read vs. chunks whose vector the vector cache already
/// held (unchanged text, same embedder). Null before a run completes.</param>
public sealed record DocumentRecord(
    string Id,
    string SourcePath,
    string FileName,
    long SizeBytes,
    string ContentHash,
    DocumentStatus Status,
    string? FailureReason,
    int ChunkCount,
    int TokenCount,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    IReadOnlyDictionary<string, double> StageMilliseconds,
    string? Detail = null,
    int Attempts = 0,
    EmbeddingCounts? Embedding = null)
{
    /// <summary>The failure reason of a document whose ingestion crashed the worker more often than
    /// <c>RagFunctions:Ingestion:Limits:MaxInterruptedAttempts</c> allows; it is not retried until its content changes.</summary>
    public const string QuarantineReason = "ingestion crashed the worker (quarantined)";

    /// <summary>True when exactly this content was quarantined.</summary>
    public bool IsQuarantinedWith(string contentHash) =>
        Status == DocumentStatus.Failed && FailureReason == QuarantineReason && ContentHash == contentHash;

    /// <summary>Users who may read the document (its source path under <c>users/&lt;id&gt;/</c>); empty with no
    /// <see cref="GroupIds"/> means every signed-in user. Derived from the path by <see cref="Access.DocumentAccess"/>.</summary>
    public IReadOnlyList<string> OwnerIds => Access.DocumentAccess.ReadersOf(SourcePath).OwnerIds;

    /// <summary>Groups whose members may read the document (source path under <c>groups/&lt;g&gt;/</c>).</summary>
    public IReadOnlyList<string> GroupIds => Access.DocumentAccess.ReadersOf(SourcePath).GroupIds;

    /// <summary>True when exactly this content is already in the index, so a new run would change nothing.</summary>
    public bool IsIndexedWith(string contentHash) => Status == DocumentStatus.Indexed && ContentHash == contentHash;
}

/// <summary>How a run got its chunks' vectors: <paramref name="Embedded"/> by the embedder, <paramref name="Reused"/> from the
/// vector cache (e.g. "embedded 3, reused 117" after one paragraph of a 120-chunk document changed).</summary>
public sealed record EmbeddingCounts(int Embedded, int Reused);

/// <summary>Document ids are a pure function of the source path so every re-drop of the same path maps to the same chunks.</summary>
public static class DocumentIds
{
    /// <summary>Normalises a source path: forward slashes, no leading <c>./</c> or <c>/</c>.</summary>
    public static string NormalizePath(string sourcePath)
    {
        var p = sourcePath.Replace('\\', '/').Trim();
        while (p.StartsWith("./", StringComparison.Ordinal)) p = p[2..];
        return p.TrimStart('/');
    }

    /// <summary><c>doc-</c> plus 24 hex chars of SHA-256 of the normalised path (valid as an Azure AI Search key prefix).</summary>
    public static string FromSourcePath(string sourcePath) =>
        "doc-" + Common.StableIds.ShortHash(24, NormalizePath(sourcePath));
}
