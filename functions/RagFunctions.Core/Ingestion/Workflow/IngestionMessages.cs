using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>Start an ingestion run for one source file version.</summary>
/// <param name="SourcePath">Path in the drop folder / <c>documents</c> container.</param>
/// <param name="ContentHash">SHA-256 hex of the content that triggered the run (also part of the instance id).</param>
/// <param name="QueuedAt">When the trigger saw the file; taken by the starter, because a workflow may not read the clock.</param>
public sealed record IngestionRequest(string SourcePath, string ContentHash, long SizeBytes, DateTimeOffset QueuedAt);

/// <summary>Result of the begin step: whether this content is already indexed.</summary>
public sealed record BeginResult(string DocumentId, bool AlreadyIndexed);

/// <summary>Input of the extract-and-chunk activity.</summary>
/// <param name="RunId">Staging reference of this run (<see cref="IngestionInstanceIds.For"/>): where the chunks are staged.</param>
public sealed record ExtractInput(string DocumentId, string SourcePath, string ContentHash, string RunId);

/// <summary>Output of extract-and-chunk: how many chunks and embedding batches were staged under the run, or why it failed.
/// Counts only: the chunk text stays in staging, so this output has the same size for a page or a 2,400-page manual.</summary>
public sealed record ChunkedDocument(
    string DocumentId,
    int ChunkCount,
    int BatchCount,
    int TokenCount,
    string? FailureReason,
    double ExtractMilliseconds,
    double ChunkMilliseconds);

/// <summary>Input of one fan-out embedding activity: embed staged batch <paramref name="Batch"/> of run <paramref name="RunId"/>.</summary>
public sealed record EmbedBatchInput(string DocumentId, string RunId, int Batch);

/// <summary>The batch's vectors were staged; how many, how many of them came from the vector cache instead of the embedder,
/// and how long the call took.</summary>
public sealed record EmbedBatchResult(int Batch, int VectorCount, double Milliseconds, int ReusedCount = 0);

/// <summary>Input of the index activity: the run's staged batches 0..<paramref name="BatchCount"/>-1, chunks and vectors.</summary>
public sealed record IndexInput(string DocumentId, string RunId, int BatchCount);

/// <summary>How many chunks were written and how long the index write took.</summary>
public sealed record IndexResult(int ChunkCount, double Milliseconds);

/// <summary>Final status write of a successful run; the run's staging is deleted afterwards.</summary>
/// <param name="Embedding">Chunks embedded vs. reused from the vector cache (null from runs started before it was recorded).</param>
public sealed record CompleteInput(
    string DocumentId,
    string ContentHash,
    int ChunkCount,
    int TokenCount,
    IReadOnlyDictionary<string, double> StageMilliseconds,
    string RunId,
    EmbeddingCounts? Embedding = null);

/// <summary>Final status write of a failed run; the run's staging, if any, is deleted.</summary>
public sealed record FailInput(string DocumentId, string Reason, string? RunId = null);

/// <summary>How a run ended.</summary>
public enum IngestionOutcomeKind
{
    Indexed,
    Skipped,
    Failed,
}

/// <summary>What a workflow run did.</summary>
public sealed record IngestionOutcome(string DocumentId, IngestionOutcomeKind Kind, int ChunkCount, string? FailureReason);

/// <summary>Activity names, shared by the Durable functions and the local runner.</summary>
public static class IngestionActivityNames
{
    public const string Orchestrator = "IngestDocument";
    public const string Begin = "Ingestion_Begin";
    public const string ExtractAndChunk = "Ingestion_ExtractAndChunk";
    public const string EmbedBatch = "Ingestion_EmbedBatch";
    public const string Index = "Ingestion_Index";
    public const string Complete = "Ingestion_Complete";
    public const string Fail = "Ingestion_Fail";
}

/// <summary>Deterministic orchestration instance ids: the same blob version never runs twice. The id also names the run's
/// staging area, so the orchestrator can compute it (it is pure) and a retried or replayed run finds its own staged data.</summary>
public static class IngestionInstanceIds
{
    public static string For(string sourcePath, string contentHash) =>
        "ingest-" + Common.StableIds.ShortHash(40, Catalog.DocumentIds.NormalizePath(sourcePath), contentHash);
}
