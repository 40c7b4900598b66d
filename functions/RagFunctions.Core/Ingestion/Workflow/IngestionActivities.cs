using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>The side-effecting steps of ingestion. Each method is one activity: the Durable app exposes each as an
/// activity function, the local runner calls them directly. Every log line carries the document id as correlation.</summary>
public sealed partial class IngestionActivities(
    IDocumentSource source,
    DocumentExtractor extractor,
    IChunker chunker,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    IVectorCache vectorCache,
    ISearchIndex index,
    IDocumentCatalog catalog,
    IngestionMetrics metrics,
    StagedIngestionData staged,
    IOptions<EmbeddingOptions> embeddingOptions,
    IOptions<IngestionLimits> ingestionLimits,
    TimeProvider time,
    ILogger<IngestionActivities> logger)
{
    private static readonly IReadOnlyDictionary<string, ReadOnlyMemory<float>> NoHits = new Dictionary<string, ReadOnlyMemory<float>>();

    /// <summary>Which embedder makes this host's vectors: the vector cache's key besides the text hash.</summary>
    private readonly string? _embedderId = EmbedderIdentity.Of(embedder, embeddingOptions.Value.Dimensions);

    /// <summary>Records the run as started, or reports that this exact content is already indexed.</summary>
    public async Task<BeginResult> BeginAsync(IngestionRequest request, CancellationToken cancellationToken)
    {
        var path = DocumentIds.NormalizePath(request.SourcePath);
        var documentId = DocumentIds.FromSourcePath(path);
        var existing = await catalog.GetAsync(documentId, cancellationToken);
        if (existing is not null && existing.IsIndexedWith(request.ContentHash))
        {
            // A duplicate delivery after the first run finished; the intake already noted skips it saw itself.
            LogSkipped(documentId, path);
            metrics.DocumentFinished("skipped");
            return new BeginResult(documentId, AlreadyIndexed: true);
        }

        // Chunk count and hash of the previous version stay visible until the new version is indexed.
        var record = new DocumentRecord(
            documentId, path, Path.GetFileName(path), request.SizeBytes, request.ContentHash, DocumentStatus.Extracting,
            FailureReason: null,
            ChunkCount: existing?.ChunkCount ?? 0,
            TokenCount: existing?.TokenCount ?? 0,
            QueuedAt: request.QueuedAt,
            StartedAt: time.GetUtcNow(),
            CompletedAt: null,
            StageMilliseconds: new Dictionary<string, double>(),
            Detail: existing is null ? null : "re-ingesting changed content",
            // Interrupted attempts count per content: a crash of an older version says nothing about this one.
            Attempts: existing is not null && existing.ContentHash == request.ContentHash ? existing.Attempts : 0);
        await catalog.UpsertAsync(record, cancellationToken);
        LogStarted(documentId, path, request.SizeBytes);
        return new BeginResult(documentId, AlreadyIndexed: false);
    }

    /// <summary>Reads, extracts and chunks the file, plans the embedding batches and stages each batch's chunks under the run.</summary>
    public async Task<ChunkedDocument> ExtractAndChunkAsync(ExtractInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        // The attempt is recorded before any parser runs, so a file that kills the process is counted even though nothing
        // after this line executes. This is the activity Durable re-runs after a worker crash (Begin's result is replayed
        // from history), so both hosts count here.
        var limits = ingestionLimits.Value;
        var record = await catalog.GetAsync(input.DocumentId, cancellationToken);
        if (record is not null)
        {
            if (record.Attempts > limits.MaxInterruptedAttempts)
            {
                LogQuarantined(input.DocumentId, record.Attempts);
                return Failed(input.DocumentId, DocumentRecord.QuarantineReason);
            }

            await catalog.UpsertAsync(record with { Attempts = record.Attempts + 1 }, cancellationToken);
        }

        var started = Stopwatch.GetTimestamp();
        ExtractedDocument extracted;
        try
        {
            await using var stream = await source.OpenReadAsync(input.SourcePath, cancellationToken);
            if (stream is null)
            {
                return Failed(input.DocumentId, "the file no longer exists");
            }

            extracted = await extractor.ExtractAsync(stream, Path.GetFileName(input.SourcePath), cancellationToken);
        }
        catch (ExtractionFailedException ex)
        {
            LogExtractionFailed(input.DocumentId, ex.Message);
            return Failed(input.DocumentId, ex.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested && record is not null)
        {
            // A host shutting down (or a deleted document) stopped this attempt in an orderly way: it did not crash the
            // worker, so it must not count towards quarantine.
            await UndoAttemptAsync(input.DocumentId);
            throw;
        }

        var extractMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.StageCompleted("extract", extractMs);

        started = Stopwatch.GetTimestamp();
        var chunks = chunker.Chunk(new ChunkSource(input.DocumentId, input.SourcePath), extracted);
        if (chunks.Count == 0)
        {
            return Failed(input.DocumentId, "no extractable text");
        }

        if (chunks.Count > limits.MaxChunks)
        {
            return Failed(input.DocumentId, IngestionLimits.Breach(
                $"chunk count ({chunks.Count})", limits.MaxChunks, nameof(IngestionLimits.MaxChunks)));
        }

        var embedding = embeddingOptions.Value;
        var batches = EmbeddingBatchPlanner.Plan(chunks.Select(c => c.TokenCount).ToArray(), embedding.MaxBatchInputs, embedding.MaxBatchTokens);
        var chunkMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.StageCompleted("chunk", chunkMs);

        for (var b = 0; b < batches.Count; b++)
        {
            var batch = chunks.Skip(batches[b].Start).Take(batches[b].Count).ToArray();
            await staged.PutChunksAsync(input.RunId, b, batch, cancellationToken);
        }

        var current = await catalog.GetAsync(input.DocumentId, cancellationToken);
        if (current is not null)
        {
            await catalog.UpsertAsync(current with { Status = DocumentStatus.Embedding }, cancellationToken);
        }

        LogChunked(input.DocumentId, chunks.Count, batches.Count, extractMs, chunkMs);
        return new ChunkedDocument(input.DocumentId, chunks.Count, batches.Count, batches.Sum(b => b.Tokens), null, extractMs, chunkMs);
    }

    /// <summary>Embeds one staged batch and stages its vectors (retries live in the embedding generator pipeline). Chunks whose
    /// exact embedded text this embedder has already embedded (<see cref="IVectorCache"/>) keep that vector: the embedder reads
    /// only the misses, in one call, so an edited document re-embeds only its changed chunks.</summary>
    public async Task<EmbedBatchResult> EmbedBatchAsync(EmbedBatchInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = Stopwatch.GetTimestamp();
        var chunks = await staged.GetChunksAsync(input.RunId, input.Batch, cancellationToken);
        // Each chunk is embedded with its title/heading as context; the indexed chunk text stays clean.
        var texts = chunks.Select(ChunkContext.Contextualise).ToArray();
        var hashes = texts.Select(ChunkTextHash.Of).ToArray();
        var expected = embeddingOptions.Value.Dimensions;
        var cached = await FindCachedAsync(input.DocumentId, hashes, cancellationToken);

        var vectors = new float[texts.Length][];
        var misses = new List<int>(texts.Length);
        for (var i = 0; i < texts.Length; i++)
        {
            if (cached.TryGetValue(hashes[i], out var hit) && hit.Length == expected)
            {
                vectors[i] = hit.ToArray();
            }
            else
            {
                misses.Add(i);
            }
        }

        if (misses.Count > 0)
        {
            var generated = await embedder.GenerateAsync(misses.Select(i => texts[i]).ToArray(), cancellationToken: cancellationToken);
            if (generated.Count != misses.Count)
            {
                throw new InvalidOperationException($"embedder returned {generated.Count} vectors for {misses.Count} inputs");
            }

            for (var m = 0; m < misses.Count; m++)
            {
                var vector = generated[m].Vector;
                if (vector.Length != expected)
                {
                    throw new InvalidOperationException($"embedder returned {vector.Length} dimensions, configured {expected} (RagFunctions:Embedding:Dimensions)");
                }

                vectors[misses[m]] = vector.ToArray();
            }
        }

        await staged.PutVectorsAsync(input.RunId, input.Batch, vectors, cancellationToken);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.StageCompleted("embed_batch", ms);
        var reused = texts.Length - misses.Count;
        LogBatchEmbedded(input.DocumentId, input.Batch, misses.Count, texts.Length, reused);
        return new EmbedBatchResult(input.Batch, vectors.Length, ms, reused);
    }

    /// <summary>The batch's cached vectors. The cache only saves work: when it cannot answer, every chunk is embedded.</summary>
    private async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindCachedAsync(
        string documentId, string[] hashes, CancellationToken cancellationToken)
    {
        if (_embedderId is null || hashes.Length == 0)
        {
            return NoHits;
        }

        try
        {
            return await vectorCache.FindAsync(_embedderId, hashes.Distinct(StringComparer.Ordinal).ToArray(), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogCacheUnavailable(ex, documentId);
            return NoHits;
        }
    }

    /// <summary>Makes the run's staged chunks, with their staged vectors, the document's only chunks in the index.</summary>
    public async Task<IndexResult> IndexAsync(IndexInput input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        var started = Stopwatch.GetTimestamp();
        var indexed = new List<IndexedChunk>();
        for (var b = 0; b < input.BatchCount; b++)
        {
            var chunks = await staged.GetChunksAsync(input.RunId, b, cancellationToken);
            var vectors = await staged.GetVectorsAsync(input.RunId, b, cancellationToken);
            if (vectors.Count != chunks.Count)
            {
                throw new InvalidOperationException($"batch {b} of run {input.RunId} has {chunks.Count} chunks but {vectors.Count} vectors");
            }

            for (var i = 0; i < chunks.Count; i++)
            {
                // Batches are consecutive ranges of the chunk list: position and ordinal must agree, or vectors would be mismatched.
                if (chunks[i].Ordinal != indexed.Count)
                {
                    throw new InvalidOperationException($"staged chunk {chunks[i].Id} has ordinal {chunks[i].Ordinal}, expected {indexed.Count}");
                }

                // Every chunk carries its document's readers (DocumentAccess: from the source path), so search and chat trim by them.
                var readers = Access.DocumentAccess.ReadersOf(chunks[i].SourcePath);
                indexed.Add(new IndexedChunk(chunks[i] with { OwnerIds = readers.OwnerIds, GroupIds = readers.GroupIds }, vectors[i]));
            }
        }

        await index.ReplaceDocumentChunksAsync(input.DocumentId, indexed, cancellationToken);
        var ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        metrics.StageCompleted("index", ms);
        return new IndexResult(indexed.Count, ms);
    }

    /// <summary>Marks the document indexed with its counts and timings.</summary>
    public async Task<bool> CompleteAsync(CompleteInput input, CancellationToken cancellationToken)
    {
        var current = await catalog.GetAsync(input.DocumentId, cancellationToken)
            ?? throw new InvalidOperationException($"document {input.DocumentId} vanished from the catalog while indexing");
        await catalog.UpsertAsync(
            current with
            {
                Status = DocumentStatus.Indexed,
                FailureReason = null,
                ContentHash = input.ContentHash,
                ChunkCount = input.ChunkCount,
                TokenCount = input.TokenCount,
                CompletedAt = time.GetUtcNow(),
                StageMilliseconds = input.StageMilliseconds,
                Detail = null,
                Attempts = 0,
                Embedding = input.Embedding,
            },
            cancellationToken);
        // After the status write: a retried Complete must still find the catalog entry, and staging is only scratch space.
        await staged.DeleteRunAsync(input.RunId, cancellationToken);
        metrics.Indexed(input.ChunkCount, input.TokenCount);
        metrics.DocumentFinished("indexed");
        LogIndexed(input.DocumentId, input.ChunkCount, input.TokenCount, input.Embedding?.Embedded ?? input.ChunkCount, input.Embedding?.Reused ?? 0);
        return true;
    }

    /// <summary>Marks the document failed. Its old chunks are removed: the index must not answer from content the file no longer has.</summary>
    public async Task<bool> FailAsync(FailInput input, CancellationToken cancellationToken)
    {
        await index.DeleteDocumentAsync(input.DocumentId, cancellationToken);
        var current = await catalog.GetAsync(input.DocumentId, cancellationToken);
        if (current is not null)
        {
            await catalog.UpsertAsync(
                current with
                {
                    Status = DocumentStatus.Failed, FailureReason = input.Reason, ChunkCount = 0, TokenCount = 0, CompletedAt = time.GetUtcNow(), Attempts = 0, Embedding = null,
                },
                cancellationToken);
        }

        if (input.RunId is { } runId)
        {
            await staged.DeleteRunAsync(runId, cancellationToken);
        }

        metrics.DocumentFinished("failed");
        LogFailed(input.DocumentId, input.Reason);
        return true;
    }

    private async Task UndoAttemptAsync(string documentId)
    {
        try
        {
            if (await catalog.GetAsync(documentId, CancellationToken.None) is { Attempts: > 0 } current)
            {
                await catalog.UpsertAsync(current with { Attempts = current.Attempts - 1 }, CancellationToken.None);
            }
        }
#pragma warning disable CA1031 // Best effort during shutdown: a miss only makes a later quarantine one attempt earlier.
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private static ChunkedDocument Failed(string documentId, string reason) => new(documentId, 0, 0, 0, reason, 0, 0);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion of {DocumentId} ({SourcePath}, {SizeBytes} bytes) started")]
    private partial void LogStarted(string documentId, string sourcePath, long sizeBytes);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion of {DocumentId} ({SourcePath}) skipped: content unchanged")]
    private partial void LogSkipped(string documentId, string sourcePath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Extraction of {DocumentId} failed: {Reason}")]
    private partial void LogExtractionFailed(string documentId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId}: {ChunkCount} chunks in {BatchCount} embedding batches (extract {ExtractMs:F1} ms, chunk {ChunkMs:F1} ms)")]
    private partial void LogChunked(string documentId, int chunkCount, int batchCount, double extractMs, double chunkMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} indexed: {ChunkCount} chunks, {TokenCount} tokens (embedded {Embedded}, reused {Reused} from the vector cache)")]
    private partial void LogIndexed(string documentId, int chunkCount, int tokenCount, int embedded, int reused);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Document {DocumentId} batch {Batch}: embedded {Embedded} of {ChunkCount} chunks, {Reused} reused from the vector cache")]
    private partial void LogBatchEmbedded(string documentId, int batch, int embedded, int chunkCount, int reused);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Vector cache lookup for {DocumentId} failed; embedding the whole batch")]
    private partial void LogCacheUnavailable(Exception exception, string documentId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Document {DocumentId} quarantined: {Attempts} earlier attempts died with their worker")]
    private partial void LogQuarantined(string documentId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} failed: {Reason}")]
    private partial void LogFailed(string documentId, string reason);
}
