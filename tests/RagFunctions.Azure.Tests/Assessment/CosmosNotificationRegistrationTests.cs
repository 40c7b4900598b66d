using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using RagFunctions.Azure.Assessment;
using RagFunctions.Azure.History;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Azure.Tests.Assessment;

public sealed class CosmosNotificationRegistrationTests
{
    private static readonly IConfiguration Configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["RagFunctions:Cosmos:Endpoint"] = "https://example.documents.azure.com:443/",
    }).Build();

    [Fact]
    public void The_store_is_reader_and_sink_and_shares_the_history_container_client()
    {
        using var provider = new ServiceCollection()
            .AddCosmosConversationStore(Configuration)
            .AddCosmosNotifications(Configuration)
            .BuildServiceProvider();

        var store = provider.GetRequiredService<CosmosNotificationStore>();

        Assert.Same(store, provider.GetRequiredService<INotificationReader>());
        Assert.Same(store, provider.GetRequiredService<INotificationSink>());
        Assert.Single(provider.GetServices<CosmosHistoryContainer>());
    }

    [Fact]
    public void A_sink_registered_by_the_host_is_kept()
    {
        var hostSink = Mock.Of<INotificationSink>();
        using var provider = new ServiceCollection()
            .AddSingleton(hostSink)
            .AddCosmosNotifications(Configuration)
            .BuildServiceProvider();

        Assert.Same(hostSink, provider.GetRequiredService<INotificationSink>());
        Assert.IsType<CosmosNotificationStore>(provider.GetRequiredService<INotificationReader>());
    }
}
