using Azure.Core;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Azure.Identity;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Azure.Assessment;

public static class ServiceBusNotificationServiceCollectionExtensions
{
    /// <summary>The connection name the Service Bus trigger uses; the sink's client reads the same settings.</summary>
    public const string ConnectionName = "ServiceBusConnection";

    /// <summary>Registers <see cref="ServiceBusNotificationSink"/> (topic <c>RagFunctions:Assessment:NotificationsTopic</c>) and its
    /// <see cref="ServiceBusClient"/>. The client uses the identity-based connection settings of the trigger,
    /// <c>ServiceBusConnection__fullyQualifiedNamespace</c> with the shared Entra ID credential
    /// (learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger "Identity-based connections"),
    /// or a plain <c>ServiceBusConnection</c> connection string. The sink is not registered as the
    /// <see cref="INotificationSink"/>: a host composes it (see <see cref="CompositeNotificationSink"/>).</summary>
    public static IServiceCollection AddServiceBusNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredentials(configuration);
        services.AddOptions<AssessmentOptions>().Bind(configuration.GetSection(AssessmentOptions.Section));
        services.TryAddSingleton(sp => CreateClient(
            configuration.GetSection(ConnectionName),
            () => sp.GetService<TokenCredential>() ?? sp.GetRequiredService<AzureCredentialFactory>().GetCredential()));
        services.TryAddSingleton<ServiceBusNotificationSink>();
        return services;
    }

    /// <summary>The client for a connection section: its <c>fullyQualifiedNamespace</c> with <paramref name="credential"/>
    /// (asked for only then), else the section's value as a connection string.</summary>
    public static ServiceBusClient CreateClient(IConfigurationSection connection, Func<TokenCredential> credential)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(credential);
        if (connection["fullyQualifiedNamespace"] is { Length: > 0 } fullyQualifiedNamespace)
        {
            return new ServiceBusClient(fullyQualifiedNamespace.Trim(), credential());
        }

        if (connection.Value is { Length: > 0 } connectionString)
        {
            return new ServiceBusClient(connectionString);
        }

        throw new InvalidOperationException(
            $"{ConnectionName}__fullyQualifiedNamespace is not configured (or a {ConnectionName} connection string): the notifications topic needs a Service Bus namespace.");
    }
}
