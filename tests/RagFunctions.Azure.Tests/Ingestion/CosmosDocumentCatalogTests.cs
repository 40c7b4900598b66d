using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Azure.Cosmos;
using Moq;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Azure.Tests.Ingestion;

/// <summary>Request-level contract of the catalog against a mocked <see cref="Container"/>: which partition and ids it uses,
/// what JSON it writes, and how it reads Cosmos responses (no Cosmos server runs here).</summary>
public sealed class CosmosDocumentCatalogTests
{
    private static readonly DateTimeOffset Queued = new(2026, 11, 20, 10, 0, 0, TimeSpan.FromHours(7));

    [Fact]
    public async Task Upsert_writes_the_record_under_the_catalog_partition_with_routing_fields()
    {
        var container = new Mock<Container>(MockBehavior.Strict);
        string? written = null;
        PartitionKey? partition = null;
        container.Setup(c => c.UpsertItemStreamAsync(It.IsAny<Stream>(), It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>()))
            .Callback<Stream, PartitionKey, ItemRequestOptions?, CancellationToken>((s, pk, _, _) => { written = new StreamReader(s).ReadToEnd(); partition = pk; })
            .ReturnsAsync(new ResponseMessage(HttpStatusCode.OK));

        await Catalog(container).UpsertAsync(Record("doc-1", DocumentStatus.Indexed), CancellationToken.None);

        Assert.Equal(new PartitionKey(CosmosDocumentCatalog.PartitionValue), partition);
        var json = JsonNode.Parse(written!)!;
        Assert.Equal("doc-1", (string?)json["id"]);
        Assert.Equal(CosmosDocumentCatalog.PartitionValue, (string?)json["userId"]);
        Assert.Equal("document", (string?)json["type"]);
        Assert.Equal("indexed", (string?)json["record"]!["status"]);
        Assert.Null(json["ttl"]);
    }

    [Fact]
    public async Task A_written_record_reads_back_equal()
    {
        var store = new Dictionary<string, byte[]>();
        var container = new Mock<Container>();
        container.Setup(c => c.UpsertItemStreamAsync(It.IsAny<Stream>(), It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>()))
            .Callback<Stream, PartitionKey, ItemRequestOptions?, CancellationToken>((s, _, _, _) =>
            {
                var bytes = ((MemoryStream)s).ToArray();
                store[(string)JsonNode.Parse(bytes)!["id"]!] = bytes;
            })
            .ReturnsAsync(new ResponseMessage(HttpStatusCode.OK));
        container.Setup(c => c.ReadItemStreamAsync(It.IsAny<string>(), It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync((string id, PartitionKey _, ItemRequestOptions? _, CancellationToken _) => store.TryGetValue(id, out var b)
                ? new ResponseMessage(HttpStatusCode.OK) { Content = new MemoryStream(b) }
                : new ResponseMessage(HttpStatusCode.NotFound));
        var catalog = Catalog(container);
        var record = Record("doc-2", DocumentStatus.Failed) with { FailureReason = "no extractable text", StageMilliseconds = new Dictionary<string, double> { ["extract"] = 12.5 } };

        await catalog.UpsertAsync(record, CancellationToken.None);
        var read = await catalog.GetAsync("doc-2", CancellationToken.None);

        Assert.NotNull(read);
        Assert.Equal(record with { StageMilliseconds = read!.StageMilliseconds }, read);
        Assert.Equal(12.5, read.StageMilliseconds["extract"]);
        Assert.Equal(Queued, read.QueuedAt);
        Assert.Null(await catalog.GetAsync("doc-missing", CancellationToken.None));
    }

    [Fact]
    public async Task List_queries_only_the_catalog_partition_and_returns_newest_first()
    {
        QueryRequestOptions? options = null;
        var page = new JsonObject
        {
            ["Documents"] = new JsonArray(
                Item(Record("doc-old", DocumentStatus.Indexed) with { QueuedAt = Queued.AddHours(-1) }),
                Item(Record("doc-new", DocumentStatus.Queued) with { QueuedAt = Queued.AddMinutes(1) })),
            ["_count"] = 2,
        };
        var feed = new Mock<FeedIterator>();
        feed.SetupSequence(f => f.HasMoreResults).Returns(true).Returns(false);
        feed.Setup(f => f.ReadNextAsync(It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ResponseMessage(HttpStatusCode.OK) { Content = new MemoryStream(Encoding.UTF8.GetBytes(page.ToJsonString())) });
        var container = new Mock<Container>();
        container.Setup(c => c.GetItemQueryStreamIterator(It.IsAny<QueryDefinition>(), null, It.IsAny<QueryRequestOptions>()))
            .Callback<QueryDefinition, string?, QueryRequestOptions?>((_, _, o) => options = o)
            .Returns(feed.Object);

        var list = await Catalog(container).ListAsync(CancellationToken.None);

        Assert.Equal(["doc-new", "doc-old"], list.Select(r => r.Id));
        Assert.Equal(new PartitionKey(CosmosDocumentCatalog.PartitionValue), options!.PartitionKey);
    }

    [Fact]
    public async Task Deleting_a_missing_record_is_not_an_error_but_a_failed_delete_is()
    {
        var container = new Mock<Container>();
        container.Setup(c => c.DeleteItemStreamAsync("doc-gone", It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ResponseMessage(HttpStatusCode.NotFound));
        container.Setup(c => c.DeleteItemStreamAsync("doc-busy", It.IsAny<PartitionKey>(), null, It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ResponseMessage(HttpStatusCode.TooManyRequests));
        var catalog = Catalog(container);

        await catalog.DeleteAsync("doc-gone", CancellationToken.None);
        await Assert.ThrowsAsync<CosmosException>(() => catalog.DeleteAsync("doc-busy", CancellationToken.None));
    }

    private static CosmosDocumentCatalog Catalog(Mock<Container> container) => new(_ => Task.FromResult(container.Object));

    private static DocumentRecord Record(string id, DocumentStatus status) => new(
        id, $"{id}.md", $"{id}.md", 42, "hash", status, null, 3, 120, Queued, Queued.AddSeconds(1), null, new Dictionary<string, double>());

    private static JsonObject Item(DocumentRecord record) => new()
    {
        ["id"] = record.Id,
        ["userId"] = CosmosDocumentCatalog.PartitionValue,
        ["type"] = "document",
        ["record"] = JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(record, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))),
        ["_etag"] = "\"0000\"",
    };
}
