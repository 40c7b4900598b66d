using Microsoft.Extensions.Logging;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Duplicates;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.Core.Ingestion;

/// <summary>The front door of ingestion, shared by the blob trigger and the drop-folder watcher: decides whether a file
/// version needs a run, records it as <c>queued</c>, and removes documents whose file is gone.</summary>
public sealed partial class IngestionIntake(
    IDocumentCatalog catalog,
    Retrieval.ISearchIndex index,
    DuplicateContent duplicates,
    TimeProvider time,
    ILogger<IngestionIntake> logger)
{
    /// <summary>Returns the request to run, or null when this exact content is already indexed (the record notes the skip).</summary>
    public async Task<IngestionRequest?> AcceptAsync(string sourcePath, string contentHash, long sizeBytes, CancellationToken cancellationToken)
    {
        var path = DocumentIds.NormalizePath(sourcePath);
        var documentId = DocumentIds.FromSourcePath(path);
        var now = time.GetUtcNow();
        var existing = await catalog.GetAsync(documentId, cancellationToken);
        // A duplicate is settled while its primary holds the content; one whose primary is gone runs again.
        if (existing is not null && await duplicates.IsSettledAsync(existing, contentHash, cancellationToken))
        {
            // A duplicate or a promoted copy keeps its detail: that it is the same content as its primary (or took over from a
            // deleted one) says more than when it was last seen.
            if (existing.DuplicateOf is null && !DuplicateContent.IsPromotion(existing.Detail))
            {
                await catalog.UpsertAsync(existing with { Detail = $"unchanged content; re-ingest skipped at {now:O}" }, cancellationToken);
            }

            LogUnchanged(documentId, path);
            return null;
        }

        if (existing is not null && existing.IsQuarantinedWith(contentHash))
        {
            // Retried only when the content changes: the same bytes already crashed the worker repeatedly.
            LogQuarantined(documentId, path);
            return null;
        }

        var queued = existing is null
            ? new DocumentRecord(documentId, path, Path.GetFileName(path), sizeBytes, contentHash, DocumentStatus.Queued,
                null, 0, 0, now, null, null, new Dictionary<string, double>())
            : existing with
            {
                Status = DocumentStatus.Queued, SizeBytes = sizeBytes, QueuedAt = now, FailureReason = null,
                Detail = existing.ContentHash == contentHash && DuplicateContent.IsPromotion(existing.Detail) ? existing.Detail : "changed content queued",
                DuplicateOf = null,
            };
        await catalog.UpsertAsync(queued, cancellationToken);
        return new IngestionRequest(path, contentHash, sizeBytes, now);
    }

    /// <summary>Removes a document's chunks and catalog entry. Returns false when it was not known. A primary with
    /// duplicates hands over to one of them (<see cref="DuplicateContent.PromoteSuccessorAsync"/>): its chunks stay
    /// searchable until the promoted copy is indexed.</summary>
    public async Task<bool> RemoveAsync(string documentId, CancellationToken cancellationToken)
    {
        var existing = await catalog.GetAsync(documentId, cancellationToken);
        var successor = existing is { DuplicateOf: null }
            ? await duplicates.PromoteSuccessorAsync(
                existing, $"{existing.SourcePath} was deleted", keepChunks: existing.Status == DocumentStatus.Indexed, cancellationToken)
            : null;
        var keepChunks = successor?.PromotedFrom is not null
            || (existing is null && await duplicates.IsInheritedAsync(documentId, cancellationToken));
        if (!keepChunks)
        {
            await index.DeleteDocumentAsync(documentId, cancellationToken);
        }

        if (existing is null)
        {
            return false;
        }

        await catalog.DeleteAsync(documentId, cancellationToken);
        if (successor is not null)
        {
            // After the old record is gone, so the successor's run cannot take it for a peer and become its duplicate again.
            await duplicates.RequeueAsync(successor, cancellationToken);
        }

        LogRemoved(documentId, existing.SourcePath);
        return true;
    }

    /// <summary>Removes the document of a deleted source file (blob-deleted event, file gone from the drop folder).</summary>
    public Task<bool> RemoveBySourcePathAsync(string sourcePath, CancellationToken cancellationToken) =>
        RemoveAsync(DocumentIds.FromSourcePath(sourcePath), cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} ({SourcePath}) unchanged; not re-ingested")]
    private partial void LogUnchanged(string documentId, string sourcePath);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Document {DocumentId} ({SourcePath}) is quarantined (its ingestion crashed the worker); not re-ingested until its content changes")]
    private partial void LogQuarantined(string documentId, string sourcePath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} ({SourcePath}) removed with its chunks")]
    private partial void LogRemoved(string documentId, string sourcePath);
}
