using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Api.Assessment;

/// <summary>DI for the assessment feature, shared by both hosts. Hosts add their own <see cref="INotificationSink"/> (and reader).</summary>
public static class AssessmentServiceCollectionExtensions
{
    /// <summary>Chat model list (agreed key), read for the welcome's model chain.</summary>
    public const string ChatModelsSection = "RagFunctions:Chat:Models";

    /// <summary>Registers options (<c>RagFunctions:Assessment</c>), the welcome writer, the conversation service and the message processor.</summary>
    /// <param name="createChatClient">Builds the client for one model name of <c>RagFunctions:Chat:Models</c>
    /// (pass <c>(sp, name) =&gt; sp.GetRequiredService&lt;IChatClientFactory&gt;().Create(name)</c>). When null, a registered
    /// <see cref="IChatClient"/> (if any) is used for the first configured model. With no model configured, welcomes use the template.</param>
    public static IServiceCollection AddAssessment(
        this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string, IChatClient>? createChatClient = null)
    {
        services.AddOptions<AssessmentOptions>().Bind(configuration.GetSection(AssessmentOptions.Section));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<AssessmentChatModels>(sp => () => ResolveModels(sp, configuration, createChatClient));
        services.TryAddSingleton<AssessmentWelcomeWriter>();
        services.TryAddSingleton<AssessmentConversationService>();
        services.TryAddSingleton<AssessmentMessageProcessor>();
        return services;
    }

    private static List<AssessmentChatModel> ResolveModels(
        IServiceProvider services, IConfiguration configuration, Func<IServiceProvider, string, IChatClient>? createChatClient)
    {
        var configured = configuration.GetSection(ChatModelsSection).GetChildren()
            .Select(m => (Name: m["Name"], Timeout: double.TryParse(m["TimeoutSeconds"], System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : (TimeSpan?)null))
            .Where(m => !string.IsNullOrWhiteSpace(m.Name))
            .ToList();
        if (configured.Count == 0)
        {
            // No model configured means template welcomes, even if some IChatClient (e.g. an extractive answerer) is registered.
            return [];
        }

        if (createChatClient is not null)
        {
            return [.. configured.Select(m => new AssessmentChatModel(m.Name!, createChatClient(services, m.Name!), m.Timeout))];
        }

        // The same model chain as chat (RagFunctions:Chat:Models), through the host's model factory.
        var factory = services.GetService<RagFunctions.Core.Chat.IChatClientFactory>();
        return factory is null ? [] : [.. configured.Select(m => new AssessmentChatModel(m.Name!, factory.Create(m.Name!), m.Timeout))];
    }
}
