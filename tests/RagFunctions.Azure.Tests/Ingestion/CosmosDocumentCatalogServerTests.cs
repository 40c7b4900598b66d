using RagFunctions.Azure.Ingestion;
using RagFunctions.Azure.Tests.History;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Tests.Shared.History;

namespace RagFunctions.Azure.Tests.Ingestion;

/// <summary><see cref="CosmosDocumentCatalog"/> against the Cosmos DB test server: the content-hash lookup the duplicate rule
/// runs on (a query inside the catalog partition) and the duplicate fields' round trip.</summary>
public sealed class CosmosDocumentCatalogServerTests(CosmosTestServer server) : IClassFixture<CosmosTestServer>
{
    private static readonly DateTimeOffset Queued = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => CancellationToken.None;

    private CosmosDocumentCatalog Catalog => new(server.Containers.GetContainerAsync);

    [StoreFact]
    public async Task Documents_are_found_by_content_hash_and_only_those()
    {
        var hash = Guid.NewGuid().ToString("N");
        var other = Guid.NewGuid().ToString("N");
        var primary = Record("doc-" + Guid.NewGuid().ToString("N")[..12], "R-FAQ.pdf", hash);
        var duplicate = Record("doc-" + Guid.NewGuid().ToString("N")[..12], "R-FAQ-copy.pdf", hash) with
        {
            DuplicateOf = primary.Id, Detail = "same content as R-FAQ.pdf; not indexed again",
        };
        var unrelated = Record("doc-" + Guid.NewGuid().ToString("N")[..12], "R-intro.pdf", other);
        foreach (var record in new[] { primary, duplicate, unrelated })
        {
            await Catalog.UpsertAsync(record, Ct);
        }

        var found = await Catalog.FindByContentHashAsync(hash, Ct);

        Assert.Equal(new[] { primary.Id, duplicate.Id }.Order(StringComparer.Ordinal), found.Select(r => r.Id));
        Assert.Equal(primary.Id, found.Single(r => r.Id == duplicate.Id).DuplicateOf);
        Assert.Equal(unrelated.Id, Assert.Single(await Catalog.FindByContentHashAsync(other, Ct)).Id);
        Assert.Empty(await Catalog.FindByContentHashAsync(Guid.NewGuid().ToString("N"), Ct));
    }

    [StoreFact]
    public async Task A_changed_hash_moves_the_document_between_lookups_and_promotedFrom_round_trips()
    {
        var before = Guid.NewGuid().ToString("N");
        var after = Guid.NewGuid().ToString("N");
        var record = Record("doc-" + Guid.NewGuid().ToString("N")[..12], "handbook.pdf", before);
        await Catalog.UpsertAsync(record, Ct);

        await Catalog.UpsertAsync(record with { ContentHash = after, PromotedFrom = "doc-old" }, Ct);

        Assert.Empty(await Catalog.FindByContentHashAsync(before, Ct));
        Assert.Equal("doc-old", Assert.Single(await Catalog.FindByContentHashAsync(after, Ct)).PromotedFrom);
    }

    private static DocumentRecord Record(string id, string path, string hash) => new(
        id, path, Path.GetFileName(path), 1234, hash, DocumentStatus.Indexed, null, 3, 100, Queued, Queued, Queued, new Dictionary<string, double>());
}
