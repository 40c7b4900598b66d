using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.History;
using RagFunctions.Core.History;

namespace RagFunctions.Azure.Tests.History;

public sealed class CosmosOptionsTests
{
    [Fact]
    public void Defaults_are_safe_for_production()
    {
        var options = new CosmosOptions();

        Assert.Equal("ragfunctions", options.Database);
        Assert.Equal("history", options.Container);
        Assert.False(options.CreateIfMissing);
        Assert.True(options.UseTransactionalBatch);
        Assert.False(options.AllowInsecureServerCertificate);
        Assert.Equal(Microsoft.Azure.Cosmos.ConnectionMode.Direct, options.ConnectionMode);
    }

    [Fact]
    public void Configuration_binds_every_key_and_registers_the_cosmos_store()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RagFunctions:Cosmos:Endpoint"] = "https://example.documents.azure.com:443/",
            ["RagFunctions:Cosmos:Database"] = "db",
            ["RagFunctions:Cosmos:Container"] = "c",
            ["RagFunctions:Cosmos:CreateIfMissing"] = "true",
            ["RagFunctions:Cosmos:UseTransactionalBatch"] = "false",
            ["RagFunctions:Cosmos:ConnectionMode"] = "Gateway",
            ["RagFunctions:History:DeletedRetentionDays"] = "12",
        }).Build();
        using var provider = new ServiceCollection().AddCosmosConversationStore(configuration).BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<CosmosOptions>>().Value;

        Assert.IsType<CosmosConversationStore>(provider.GetRequiredService<IConversationStore>());
        Assert.Equal(("https://example.documents.azure.com:443/", "db", "c", true, false), (options.Endpoint, options.Database, options.Container, options.CreateIfMissing, options.UseTransactionalBatch));
        Assert.Equal(Microsoft.Azure.Cosmos.ConnectionMode.Gateway, options.ConnectionMode);
        Assert.Equal(12, provider.GetRequiredService<IOptions<HistoryOptions>>().Value.DeletedRetentionDays);
    }

    [Fact]
    public async Task Without_an_account_key_a_registered_token_credential_is_required()
    {
        using var containers = new CosmosHistoryContainer(Options.Create(new CosmosOptions { Endpoint = "https://example.documents.azure.com:443/" }));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => containers.GetContainerAsync(CancellationToken.None));

        Assert.Contains("TokenCredential", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_endpoint_the_store_refuses_to_start()
    {
        using var containers = new CosmosHistoryContainer(Options.Create(new CosmosOptions()));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => containers.GetContainerAsync(CancellationToken.None));

        Assert.Contains("RagFunctions:Cosmos:Endpoint", error.Message, StringComparison.Ordinal);
    }
}
