using System.Text.Json;
using Microsoft.Azure.Cosmos;
using RagFunctions.Azure.Limits;
using RagFunctions.Core.Limits;
using RagFunctions.Tests.Shared.History;

namespace RagFunctions.Azure.Tests.History;

/// <summary>The shared usage-ledger contract against Cosmos DB (test server), plus the item shape: user partition, type, TTL.</summary>
public sealed class CosmosUsageLedgerTests(CosmosTestServer server) : UsageLedgerContractTests, IClassFixture<CosmosTestServer>
{
    private readonly CosmosUsageLedger _ledger = new(server.Containers);

    protected override IUsageLedger Ledger => _ledger;

    [StoreFact]
    public async Task Entries_are_typed_items_in_the_users_partition_that_expire_by_ttl_and_never_read_as_conversations()
    {
        var user = NewUser();
        var entry = Entry(user, UsageKind.Message, DateTimeOffset.UtcNow);
        await Ledger.RecordAsync(entry, Ct);
        var container = await server.Containers.GetContainerAsync(Ct);

        using var response = await container.ReadItemStreamAsync(CosmosUsageLedger.ItemId(entry.Id), new PartitionKey(user), cancellationToken: Ct);
        using var document = await JsonDocument.ParseAsync(response.Content, cancellationToken: Ct);
        var item = document.RootElement;

        Assert.Equal("usage", item.GetProperty("type").GetString());
        Assert.Equal(user, item.GetProperty("userId").GetString());
        Assert.Equal("message", item.GetProperty("kind").GetString());
        Assert.Equal((int)IUsageLedger.Retention.TotalSeconds, item.GetProperty("ttl").GetInt32());
        Assert.Null(await server.Store.GetConversationAsync(user, CosmosUsageLedger.ItemId(entry.Id), Ct));
        Assert.Empty((await server.Store.ListConversationsAsync(user, null, 10, null, Ct)).Items);
    }
}
