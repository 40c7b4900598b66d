using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Azure.Ingestion;

/// <summary>
/// <see cref="IDocumentCatalog"/> on Azure Cosmos DB, stored in the conversation-history container (partition key path
/// <c>/userId</c>) under one fixed partition value, <see cref="PartitionValue"/>.
/// </summary>
/// <remarks>
/// Why the history container and not a <c>documents</c> container of its own: the deployment already creates, secures
/// (data-plane RBAC) and monitors that one container; a second one would need its own Bicep, throughput and role scope for
/// a few hundred small records. Why one partition: the catalog is listed as a whole (<c>GET /api/documents</c>), so a
/// single-partition query is the cheapest read, and the catalog stays far below the 20 GB logical-partition limit
/// (about 1 KB per document). The partition value contains a colon, which no Entra object id (the user ids in this
/// container) can, so catalog items never share a partition with a user's conversations; their <c>type</c> is
/// <c>document</c>, which the history store's queries (type <c>conversation</c>/<c>message</c>) never match; they carry no
/// <c>ttl</c>, so the container's TTL (on, no default expiry) never removes them.
/// Stream APIs are used so the catalog's JSON does not depend on the serializer the shared <see cref="CosmosClient"/> was built with.
/// </remarks>
public sealed class CosmosDocumentCatalog(Func<CancellationToken, Task<Container>> container) : IDocumentCatalog
{
    /// <summary>The <c>userId</c> (partition key) value of every catalog item.</summary>
    public const string PartitionValue = "system:document-catalog";

    /// <summary>The <c>type</c> discriminator of catalog items.</summary>
    public const string ItemType = "document";

    private static readonly PartitionKey Partition = new(PartitionValue);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        var items = await container(cancellationToken).ConfigureAwait(false);
        using var response = await items.ReadItemStreamAsync(documentId, Partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        response.EnsureSuccessStatusCode();
        var item = await JsonSerializer.DeserializeAsync<CatalogItem>(response.Content, Json, cancellationToken).ConfigureAwait(false);
        return item?.Record;
    }

    public async Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken)
    {
        var items = await container(cancellationToken).ConfigureAwait(false);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.type = @type").WithParameter("@type", ItemType);
        var records = await QueryRecordsAsync(items, query, cancellationToken).ConfigureAwait(false);

        // Ordered here rather than by ORDER BY: DateTimeOffset JSON keeps the writer's offset, so string order is not time order.
        return [.. records.OrderByDescending(r => r.QueuedAt).ThenBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>A single-partition query on <c>record.contentHash</c> (Cosmos DB indexes every path by default). The partition
    /// is named in the filter as well as in the request options, as the conversation store's queries do.</summary>
    public async Task<IReadOnlyList<DocumentRecord>> FindByContentHashAsync(string contentHash, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(contentHash);
        var items = await container(cancellationToken).ConfigureAwait(false);
        var query = new QueryDefinition("SELECT * FROM c WHERE c.userId = @partition AND c.type = @type AND c.record.contentHash = @hash")
            .WithParameter("@partition", PartitionValue)
            .WithParameter("@type", ItemType)
            .WithParameter("@hash", contentHash);
        var records = await QueryRecordsAsync(items, query, cancellationToken).ConfigureAwait(false);
        return [.. records.OrderBy(r => r.Id, StringComparer.Ordinal)];
    }

    /// <summary>Every catalog record a single-partition query returns, page by page.</summary>
    private static async Task<List<DocumentRecord>> QueryRecordsAsync(Container items, QueryDefinition query, CancellationToken cancellationToken)
    {
        var records = new List<DocumentRecord>();
        using var feed = items.GetItemQueryStreamIterator(query, continuationToken: null, new QueryRequestOptions { PartitionKey = Partition });
        while (feed.HasMoreResults)
        {
            using var page = await feed.ReadNextAsync(cancellationToken).ConfigureAwait(false);
            page.EnsureSuccessStatusCode();
            var body = await JsonSerializer.DeserializeAsync<QueryPage>(page.Content, Json, cancellationToken).ConfigureAwait(false);
            records.AddRange(body?.Documents?.Select(d => d.Record).OfType<DocumentRecord>() ?? []);
        }

        return records;
    }

    public async Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var items = await container(cancellationToken).ConfigureAwait(false);
        using var content = new MemoryStream();
        await JsonSerializer.SerializeAsync(content, new CatalogItem(record.Id, PartitionValue, ItemType, record), Json, cancellationToken).ConfigureAwait(false);
        content.Position = 0;
        using var response = await items.UpsertItemStreamAsync(content, Partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
    }

    public async Task DeleteAsync(string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        var items = await container(cancellationToken).ConfigureAwait(false);
        using var response = await items.DeleteItemStreamAsync(documentId, Partition, cancellationToken: cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.NotFound)
        {
            response.EnsureSuccessStatusCode();
        }
    }

    /// <summary>The stored item: routing fields plus the record itself.</summary>
    internal sealed record CatalogItem(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("userId")] string UserId,
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("record")] DocumentRecord? Record);

    /// <summary>The body of one page of a stream query (<c>{"Documents": [...], "_count": n}</c>).</summary>
    internal sealed record QueryPage([property: JsonPropertyName("Documents")] IReadOnlyList<CatalogItem>? Documents);
}
