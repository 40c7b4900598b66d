using Azure.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.History;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Azure.Assessment;

public static class CosmosNotificationServiceCollectionExtensions
{
    /// <summary>Registers <see cref="CosmosNotificationStore"/> (in the history container, <c>RagFunctions:Cosmos</c>) as the
    /// <see cref="INotificationReader"/>, and as the <see cref="INotificationSink"/> unless a sink is already registered.
    /// A host that also publishes elsewhere composes its sink from the concrete <see cref="CosmosNotificationStore"/>
    /// (see <see cref="CompositeNotificationSink"/>). Reuses the <see cref="CosmosHistoryContainer"/> of
    /// <see cref="CosmosHistoryServiceCollectionExtensions.AddCosmosConversationStore"/> when that was called.</summary>
    public static IServiceCollection AddCosmosNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<CosmosOptions>().Bind(configuration.GetSection(CosmosOptions.Section));
        services.TryAddSingleton(sp => new CosmosHistoryContainer(
            sp.GetRequiredService<IOptions<CosmosOptions>>(),
            sp.GetService<TokenCredential>()));
        services.TryAddSingleton(sp => new CosmosNotificationStore(
            sp.GetRequiredService<CosmosHistoryContainer>(),
            sp.GetService<ILogger<CosmosNotificationStore>>()));
        services.TryAddSingleton<INotificationReader>(sp => sp.GetRequiredService<CosmosNotificationStore>());
        services.TryAddSingleton<INotificationSink>(sp => sp.GetRequiredService<CosmosNotificationStore>());
        return services;
    }
}
