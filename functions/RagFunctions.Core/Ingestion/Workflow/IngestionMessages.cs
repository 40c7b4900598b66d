using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>Start an ingestion run for one source file version.</summary>
/// <param name="SourcePath">Path in the drop folder / <c>documents</c> container.</param>
/// <param name="ContentHash">SHA-256 hex of the content that triggered the run (also part of the instance id).</param>
/// <param name="QueuedAt">When the trigger saw the file; taken by the starter, because a workflow may not read the clock.</param>
public sealed record IngestionRequest(string SourcePath, string ContentHash, long SizeBytes, DateTimeOffset QueuedAt);

/// <summary>Result of the begin step: whether this content is already indexed.</summary>
public sealed record BeginResult(string DocumentId, bool AlreadyIndexed);

/// <summary>Input of the extract-and-chunk activity.</summary>
public sealed record ExtractInput(string DocumentId, string SourcePath, string ContentHash);

/// <summary>Output of extract-and-chunk: the chunks and the token-bounded embedding batches (start index, count), or why it failed.</summary>
public sealed record ChunkedDocument(
    string DocumentId,
    IReadOnlyList<DocumentChunk> Chunks,
    IReadOnlyList<EmbeddingBatch> Batches,
    string? FailureReason,
    double ExtractMilliseconds,
    double ChunkMilliseconds);

/// <summary>Input of one fan-out embedding activity.</summary>
public sealed record EmbedBatchInput(string DocumentId, int Start, IReadOnlyList<string> Texts);

/// <summary>Vectors of one batch, in input order, and how long the call took.</summary>
public sealed record EmbedBatchResult(int Start, IReadOnlyList<float[]> Vectors, double Milliseconds);

/// <summary>Input of the index activity: all chunks and their vectors (same order).</summary>
public sealed record IndexInput(string DocumentId, IReadOnlyList<DocumentChunk> Chunks, IReadOnlyList<float[]> Vectors);

/// <summary>How long the index write took.</summary>
public sealed record IndexResult(int ChunkCount, double Milliseconds);

/// <summary>Final status write of a successful run.</summary>
public sealed record CompleteInput(string DocumentId, string ContentHash, int ChunkCount, int TokenCount, IReadOnlyDictionary<string, double> StageMilliseconds);

/// <summary>Final status write of a failed run.</summary>
public sealed record FailInput(string DocumentId, string Reason);

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

/// <summary>Deterministic orchestration instance ids: the same blob version never runs twice.</summary>
public static class IngestionInstanceIds
{
    public static string For(string sourcePath, string contentHash) =>
        "ingest-" + Common.StableIds.ShortHash(40, Catalog.DocumentIds.NormalizePath(sourcePath), contentHash);
}
