using System.Net;
using Microsoft.Azure.Cosmos;
using RagFunctions.Azure.History;
using RagFunctions.Core.Limits;
using static RagFunctions.Azure.History.CosmosHistoryDocuments;

namespace RagFunctions.Azure.Limits;

/// <summary>
/// The usage ledger on Cosmos DB, in the history container: each entry is an item in its user's partition (<c>/userId</c>) with
/// <c>type = "usage"</c> and id <c>usage:{entry id}</c>, so counting a window is one single-partition query that every Functions instance
/// sees alike. Items carry a <c>ttl</c> of <see cref="IUsageLedger.Retention"/>: the container (TTL on, no default) expires them.
/// </summary>
/// <remarks>The history store's queries filter on <c>type</c> and its reads refuse the <c>usage:</c> prefix, so these items never show up as
/// conversations or messages.</remarks>
public sealed class CosmosUsageLedger(CosmosHistoryContainer containers) : IUsageLedger
{
    /// <summary>The <c>type</c> discriminator of usage items.</summary>
    public const string ItemType = "usage";

    /// <summary>Entries read per window at most; far above any sensible quota (one entry per message or turn).</summary>
    private const int MaxEntries = 10_000;

    private static readonly int TtlSeconds = (int)IUsageLedger.Retention.TotalSeconds;

    public static string ItemId(string entryId) => UsageIdPrefix + entryId;

    public async Task RecordAsync(UsageEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var container = await containers.GetContainerAsync(cancellationToken);
        var document = new UsageDocument
        {
            Id = ItemId(entry.Id),
            UserId = entry.UserId,
            EntryId = entry.Id,
            Kind = KindName(entry.Kind),
            Amount = entry.Amount,
            At = FormatTimestamp(entry.At),
            Ttl = TtlSeconds,
        };
        // Upsert: recording the same entry twice (a retried call) keeps one.
        await CosmosProblems.TranslateAsync(() => container.UpsertItemAsync(
            document, new PartitionKey(entry.UserId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken));
    }

    public async Task RemoveAsync(string userId, string entryId, CancellationToken cancellationToken)
    {
        var container = await containers.GetContainerAsync(cancellationToken);
        try
        {
            await CosmosProblems.TranslateAsync(() => container.DeleteItemAsync<UsageDocument>(ItemId(entryId), new PartitionKey(userId), cancellationToken: cancellationToken));
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            // Already gone (expired or removed twice): nothing to do.
        }
    }

    public async Task<IReadOnlyList<UsageEntry>> ListAsync(string userId, UsageKind kind, DateTimeOffset since, CancellationToken cancellationToken)
    {
        var container = await containers.GetContainerAsync(cancellationToken);
        // Timestamps are fixed-width UTC strings, so >= follows time.
        var query = new QueryDefinition($"SELECT TOP {MaxEntries} * FROM c WHERE c.userId = @userId AND c.type = @type AND c.kind = @kind AND c.at >= @since")
            .WithParameter("@userId", userId)
            .WithParameter("@type", ItemType)
            .WithParameter("@kind", KindName(kind))
            .WithParameter("@since", FormatTimestamp(since));
        var documents = new List<UsageDocument>();
        using var iterator = container.GetItemQueryIterator<UsageDocument>(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(userId),
            MaxItemCount = 1000,
        });
        while (iterator.HasMoreResults)
        {
            documents.AddRange(await CosmosProblems.TranslateAsync(() => iterator.ReadNextAsync(cancellationToken)));
        }

        return [.. documents
            .OrderBy(d => d.At, StringComparer.Ordinal)
            .ThenBy(d => d.EntryId, StringComparer.Ordinal)
            .Select(d => new UsageEntry(userId, d.EntryId, kind, d.Amount, ParseTimestamp(d.At)))];
    }

    private static string KindName(UsageKind kind) => kind switch
    {
        UsageKind.Message => "message",
        UsageKind.Conversation => "conversation",
        UsageKind.Tokens => "tokens",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };
}

/// <summary>The stored usage item.</summary>
internal sealed class UsageDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = CosmosUsageLedger.ItemType;
    public required string EntryId { get; init; }
    public required string Kind { get; init; }
    public required long Amount { get; init; }
    public required string At { get; init; }
    public int? Ttl { get; init; }
}
