using System.Globalization;
using RagFunctions.Core.Common;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Core.Ingestion.Access;

/// <summary>One page of the documents a caller may read.</summary>
/// <param name="After">Position token of the last document on the page (for the next page), null on the last page.</param>
public sealed record DocumentPage(IReadOnlyList<DocumentRecord> Documents, string? After);

/// <summary>
/// <c>GET /api/documents</c>: only documents the caller may read (<see cref="DocumentAccess"/>), optionally one status,
/// most recently queued first (ties by id), in pages. The position is the last document's (queuedAt, id), so documents
/// added meanwhile never shift a page.
/// </summary>
public static class DocumentListing
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 500;

    public static DocumentPage Page(
        IEnumerable<DocumentRecord> records, CallerIdentity caller, DocumentStatus? status, int limit, string? after)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var position = after is null ? ((long Ticks, string Id)?)null : ParsePosition(after);
        var ordered = records
            .Where(r => (status is null || r.Status == status) && DocumentAccess.CanRead(caller, r.SourcePath))
            .OrderByDescending(r => r.QueuedAt.UtcTicks)
            .ThenBy(r => r.Id, StringComparer.Ordinal)
            .Where(r => position is not { } p || r.QueuedAt.UtcTicks < p.Ticks || (r.QueuedAt.UtcTicks == p.Ticks && string.CompareOrdinal(r.Id, p.Id) > 0))
            .Take(limit + 1)
            .ToList();
        var page = ordered.Take(limit).ToList();
        return new DocumentPage(page, ordered.Count > limit ? Position(page[^1]) : null);
    }

    private static string Position(DocumentRecord last) => $"{last.QueuedAt.UtcTicks.ToString(CultureInfo.InvariantCulture)}:{last.Id}";

    private static (long Ticks, string Id) ParsePosition(string after)
    {
        var colon = after.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || !long.TryParse(after.AsSpan(0, colon), NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) || colon == after.Length - 1)
        {
            throw new ValidationProblemException("continuationToken", "The continuation token is invalid or belongs to a different query.");
        }

        return (ticks, after[(colon + 1)..]);
    }
}
