using Microsoft.Extensions.Logging;
using RagFunctions.Core.Ingestion.Access;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Ingestion.Duplicates;

/// <summary>
/// Byte-identical content under a second name is indexed once (both hosts; called by <see cref="IngestionIntake"/> and
/// <see cref="Workflow.IngestionActivities"/>).
/// </summary>
/// <remarks>
/// <para><b>Peers.</b> Two documents are peers when their content hashes (SHA-256) are equal and their readers
/// (<see cref="DocumentAccess.ReadersOf"/>) are the same sets. Copies with different readers are indexed separately: one
/// index entry serves readers of one set only, so sharing it would show one user's copy to another.</para>
/// <para><b>Primary.</b> At begin (the record already holds the new hash) a document becomes a duplicate of the peer that
/// is already indexed (lowest id if several), else of an in-progress peer with a lower id; otherwise it is indexed. When
/// its indexing completes it checks again and steps down in favour of a peer with a lower id. Both checks read after
/// writing the document's own record, so of two identical files ingested at once at least one sees the other, and the
/// tie-break by id settles which one stays: one is indexed, the other is its duplicate.</para>
/// <para><b>Duplicate.</b> Status <c>indexed</c>, <c>duplicateOf</c> = the primary's id, chunk count 0 (its content is
/// searchable as the primary's chunks, so search never returns the pair), detail "same content as …".</para>
/// <para><b>Succession.</b> When a primary is deleted, its lowest-id duplicate is promoted (queued, <c>promotedFrom</c> =
/// the old id), the remaining duplicates point at it, the old record goes and the copy is ingested again; the old chunks
/// stay searchable until the promoted copy is indexed (or fails), then they are removed. When a primary's content changes,
/// the same promotion runs without keeping chunks (the primary's new run replaces them). A crash between those steps leaves
/// either the promoted copy queued or a duplicate whose primary is gone: both are not <see cref="IsSettledAsync">settled</see>,
/// so the next sighting of that file (local start-up scan, re-drop, blob event) ingests it.</para>
/// </remarks>
public sealed partial class DuplicateContent(
    IDocumentCatalog catalog,
    ISearchIndex index,
    IDocumentRequeue requeue,
    TimeProvider time,
    ILogger<DuplicateContent> logger)
{
    /// <summary>Start of the detail of a promoted duplicate (kept through its run, so the list says why it was re-indexed).</summary>
    public const string PromotedPrefix = "promoted: ";

    /// <summary>True when <paramref name="detail"/> is a promotion note.</summary>
    public static bool IsPromotion(string? detail) => detail?.StartsWith(PromotedPrefix, StringComparison.Ordinal) == true;

    /// <summary>True when the two source paths have the same readers (owners and groups compared as sets).</summary>
    public static bool SameReaders(string sourcePathA, string sourcePathB)
    {
        var a = DocumentAccess.ReadersOf(sourcePathA);
        var b = DocumentAccess.ReadersOf(sourcePathB);
        return a.OwnerIds.ToHashSet(StringComparer.Ordinal).SetEquals(b.OwnerIds)
            && a.GroupIds.ToHashSet(StringComparer.Ordinal).SetEquals(b.GroupIds);
    }

    /// <summary>True when a run for <paramref name="contentHash"/> would change nothing: the document is indexed with it, or
    /// it is a duplicate of a primary that still exists and holds that content.</summary>
    public async Task<bool> IsSettledAsync(DocumentRecord record, string contentHash, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.IsIndexedWith(contentHash))
        {
            return true;
        }

        if (record.DuplicateOf is not { } primaryId || record.Status != DocumentStatus.Indexed || record.ContentHash != contentHash)
        {
            return false;
        }

        var primary = await catalog.GetAsync(primaryId, cancellationToken);
        return primary is not null && IsPeer(record, primary) && primary.Status != DocumentStatus.Failed;
    }

    /// <summary>The primary <paramref name="document"/> duplicates at begin, or null when it is to be indexed itself.</summary>
    public async Task<DocumentRecord?> PrimaryAtBeginAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var peers = await PeersAsync(document, cancellationToken);
        return peers.Where(p => p.Status == DocumentStatus.Indexed).MinBy(p => p.Id, StringComparer.Ordinal)
            ?? peers.Where(p => string.CompareOrdinal(p.Id, document.Id) < 0).MinBy(p => p.Id, StringComparer.Ordinal);
    }

    /// <summary>The peer with a lower id that <paramref name="document"/>, just indexed, steps down for; null to stay primary.</summary>
    public async Task<DocumentRecord?> PrimaryAtCompleteAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        var peers = await PeersAsync(document, cancellationToken);
        return peers.Where(p => string.CompareOrdinal(p.Id, document.Id) < 0).MinBy(p => p.Id, StringComparer.Ordinal);
    }

    /// <summary>Records <paramref name="document"/> as a duplicate of <paramref name="primary"/>: its own chunks (of an earlier
    /// version, or of a run that stepped down) are removed and its own duplicates now point at the primary.</summary>
    public async Task<DocumentRecord> RecordDuplicateAsync(DocumentRecord document, DocumentRecord primary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        ArgumentNullException.ThrowIfNull(primary);
        var duplicate = document with
        {
            Status = DocumentStatus.Indexed,
            DuplicateOf = primary.Id,
            PromotedFrom = null,
            FailureReason = null,
            ChunkCount = 0,
            TokenCount = 0,
            Embedding = null,
            CompletedAt = time.GetUtcNow(),
            Attempts = 0,
            Detail = DuplicateDetail(primary),
        };
        await catalog.UpsertAsync(duplicate, cancellationToken);
        await index.DeleteDocumentAsync(document.Id, cancellationToken);
        foreach (var follower in await DuplicatesOfAsync(document, cancellationToken))
        {
            await catalog.UpsertAsync(follower with { DuplicateOf = primary.Id, Detail = DuplicateDetail(primary) }, cancellationToken);
        }

        if (document.PromotedFrom is { } inherited)
        {
            // A promoted copy that turns out to duplicate another primary no longer needs the chunks it inherited.
            await RetireInheritedAsync(inherited, cancellationToken);
        }

        LogDuplicate(document.Id, document.SourcePath, primary.Id, primary.SourcePath);
        return duplicate;
    }

    /// <summary>The primary <paramref name="leaving"/> (its old record) is deleted or changes content: its lowest-id duplicate
    /// becomes a queued document of its own and the others point at it. Returns that successor (not yet requeued: the caller
    /// first removes or rewrites the old record, so the successor's run cannot find it as a peer), or null without duplicates.</summary>
    /// <param name="keepChunks">True when the leaving document's chunks stay until the successor is indexed (deletion).</param>
    public async Task<DocumentRecord?> PromoteSuccessorAsync(DocumentRecord leaving, string why, bool keepChunks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leaving);
        var duplicates = await DuplicatesOfAsync(leaving, cancellationToken);
        if (duplicates.Count == 0)
        {
            return null;
        }

        var successor = duplicates[0] with
        {
            Status = DocumentStatus.Queued,
            DuplicateOf = null,
            PromotedFrom = keepChunks ? leaving.Id : null,
            ChunkCount = 0,
            TokenCount = 0,
            Embedding = null,
            CompletedAt = null,
            Detail = PromotedPrefix + why,
        };
        await catalog.UpsertAsync(successor, cancellationToken);
        foreach (var other in duplicates.Skip(1))
        {
            await catalog.UpsertAsync(other with { DuplicateOf = successor.Id, Detail = DuplicateDetail(successor) }, cancellationToken);
        }

        LogPromoted(successor.Id, successor.SourcePath, leaving.Id, why);
        return successor;
    }

    /// <summary>Starts the promoted successor's ingestion.</summary>
    public Task RequeueAsync(DocumentRecord successor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(successor);
        return requeue.RequeueAsync(successor.SourcePath, cancellationToken);
    }

    /// <summary>After a promoted copy is indexed or failed: removes the chunks it inherited, unless a document exists under
    /// that id again (a new file at the old path, whose own run replaces them).</summary>
    public async Task RetireInheritedAsync(string inheritedId, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(inheritedId, cancellationToken) is null)
        {
            await index.DeleteDocumentAsync(inheritedId, cancellationToken);
        }
    }

    /// <summary>True when a promoted copy still relies on the chunks of the deleted document <paramref name="documentId"/>: a
    /// second removal of it (the drop-folder watcher or the BlobDeleted event after an API delete) must leave them. Reads the
    /// whole catalog, which only happens for removals of documents the catalog no longer knows.</summary>
    public async Task<bool> IsInheritedAsync(string documentId, CancellationToken cancellationToken) =>
        (await catalog.ListAsync(cancellationToken)).Any(r => string.Equals(r.PromotedFrom, documentId, StringComparison.Ordinal));

    /// <summary>A primary failed: its duplicates hold the same bytes, so they fail with the same reason (a re-drop retries them).</summary>
    public async Task FailDuplicatesAsync(DocumentRecord primary, string reason, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(primary);
        foreach (var duplicate in await DuplicatesOfAsync(primary, cancellationToken))
        {
            await catalog.UpsertAsync(
                duplicate with
                {
                    Status = DocumentStatus.Failed, FailureReason = reason, DuplicateOf = null, CompletedAt = time.GetUtcNow(),
                    Detail = $"same content as {primary.SourcePath}, which failed",
                },
                cancellationToken);
        }
    }

    /// <summary>The documents recorded as duplicates of <paramref name="primary"/> (same content), lowest id first.</summary>
    public async Task<IReadOnlyList<DocumentRecord>> DuplicatesOfAsync(DocumentRecord primary, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(primary);
        var sameContent = await catalog.FindByContentHashAsync(primary.ContentHash, cancellationToken);
        return [.. sameContent.Where(r => r.DuplicateOf == primary.Id && r.Id != primary.Id).OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    private async Task<IReadOnlyList<DocumentRecord>> PeersAsync(DocumentRecord document, CancellationToken cancellationToken)
    {
        var sameContent = await catalog.FindByContentHashAsync(document.ContentHash, cancellationToken);
        return [.. sameContent.Where(r => r.Id != document.Id && r.DuplicateOf is null && r.Status != DocumentStatus.Failed && IsPeer(document, r))];
    }

    private static bool IsPeer(DocumentRecord a, DocumentRecord b) =>
        string.Equals(a.ContentHash, b.ContentHash, StringComparison.Ordinal) && SameReaders(a.SourcePath, b.SourcePath);

    private static string DuplicateDetail(DocumentRecord primary) =>
        $"same content as {primary.SourcePath}; not indexed again";

    [LoggerMessage(Level = LogLevel.Information, Message = "Document {DocumentId} ({SourcePath}) has the same content as {PrimaryId} ({PrimaryPath}); recorded as its duplicate, not indexed again")]
    private partial void LogDuplicate(string documentId, string sourcePath, string primaryId, string primaryPath);

    [LoggerMessage(Level = LogLevel.Information, Message = "Duplicate {DocumentId} ({SourcePath}) promoted in place of {PrimaryId}: {Why}")]
    private partial void LogPromoted(string documentId, string sourcePath, string primaryId, string why);
}
