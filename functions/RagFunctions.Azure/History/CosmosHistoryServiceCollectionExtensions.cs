using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.Limits;
using RagFunctions.Core.History;
using RagFunctions.Core.Limits;

namespace RagFunctions.Azure.History;

public static class CosmosHistoryServiceCollectionExtensions
{
    /// <summary>Registers <see cref="CosmosConversationStore"/> as the <see cref="IConversationStore"/>, bound from <c>RagFunctions:Cosmos</c>
    /// and <c>RagFunctions:History</c>. Without an account key it authenticates with the <see cref="TokenCredential"/> registered in DI.</summary>
    public static IServiceCollection AddCosmosConversationStore(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CosmosOptions>().Bind(configuration.GetSection(CosmosOptions.Section));
        services.AddOptions<HistoryOptions>().Bind(configuration.GetSection(HistoryOptions.Section));
        // TryAdd: the notification store (AddCosmosNotifications) shares this container client.
        services.TryAddSingleton(sp => new CosmosHistoryContainer(
            sp.GetRequiredService<IOptions<CosmosOptions>>(),
            sp.GetService<TokenCredential>()));
        services.AddSingleton(sp => new CosmosConversationStore(
            sp.GetRequiredService<CosmosHistoryContainer>(),
            sp.GetRequiredService<IOptions<CosmosOptions>>(),
            sp.GetRequiredService<IOptions<HistoryOptions>>(),
            sp.GetService<ILogger<CosmosConversationStore>>()));
        services.AddSingleton<IConversationStore>(sp => sp.GetRequiredService<CosmosConversationStore>());
        // The usage ledger lives beside the history (same container, the user's partition), so all instances count the same limits.
        services.AddSingleton<IUsageLedger>(sp => new CosmosUsageLedger(sp.GetRequiredService<CosmosHistoryContainer>()));
        return services;
    }
}
