using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using RagFunctions.Azure.History;
using RagFunctions.Core.History;
using RagFunctions.Local.History;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.History;

public sealed class HistoryWiringTests
{
    [Fact]
    public async Task The_local_host_uses_sqlite_history_and_runs_the_purge_service_by_default()
    {
        await using var factory = new LocalHostFactory();

        var store = factory.Services.GetRequiredService<IConversationStore>();

        Assert.IsType<SqliteConversationStore>(store);
        Assert.Contains(factory.Services.GetServices<IHostedService>(), s => s is SqliteHistoryPurgeService);
        var (conversation, created) = await store.CreateIfNotExistsAsync(
            new Conversation("c1", "u1", "t", ConversationStatus.Active, ContextTypes.General, null, null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 0),
            CancellationToken.None);
        Assert.True(created);
        Assert.NotNull(await store.GetConversationAsync("u1", conversation.Id, CancellationToken.None));
    }

    [Fact]
    public async Task A_configured_cosmos_endpoint_switches_the_local_host_to_the_cosmos_store()
    {
        await using var factory = new LocalHostFactory(new Dictionary<string, string?>
        {
            ["RagFunctions:Cosmos:Endpoint"] = "https://127.0.0.1:1/",
            ["RagFunctions:Cosmos:AccountKey"] = "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==",
        });

        Assert.IsType<CosmosConversationStore>(factory.Services.GetRequiredService<IConversationStore>());
        Assert.DoesNotContain(factory.Services.GetServices<IHostedService>(), s => s is SqliteHistoryPurgeService);
    }
}
