using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Limits;

namespace RagFunctions.Api.Chat;

public static class ChatApiServiceCollectionExtensions
{
    /// <summary>Binds <c>RagFunctions:Chat</c>, registers the turn pipeline and the handler bundle (<see cref="ChatApiServices"/>). TryAdd throughout:
    /// real implementations registered by other features win. Needs an <c>ICallerIdentityResolver</c>, an <c>IConversationStore</c>,
    /// an <c>IUsageLedger</c> (registered with the store), an <c>ISearchIndex</c> and an embedding generator from their features.</summary>
    public static IServiceCollection AddChatApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ChatPipelineOptions>()
            .Bind(configuration.GetSection(ChatPipelineOptions.Section))
            .Validate(o => o.HistoryTokenBudget >= 0 && o.ContextTokenBudget > 0, "RagFunctions:Chat token budgets must be positive.")
            .Validate(o => o.RetrievalTop is >= 1 and <= 50, "RagFunctions:Chat:RetrievalTop must be between 1 and 50.")
            .Validate(o => o.MaxMessageLength > 0 && o.MaxTitleLength > 0, "RagFunctions:Chat limits must be positive.")
            .Validate(o => o.Models.All(m => !string.IsNullOrWhiteSpace(m.Name) && m.TimeoutSeconds > 0), "Every RagFunctions:Chat:Models entry needs a Name and a positive TimeoutSeconds.")
            .ValidateOnStart();
        services.AddOptions<Core.Chat.Triage.TriageOptions>()
            .Bind(configuration.GetSection(Core.Chat.Triage.TriageOptions.Section))
            .Validate(o => o.TimeoutSeconds > 0 && o.NotFoundAnswersToEscalate >= 0, "RagFunctions:Chat:Triage:TimeoutSeconds must be positive and NotFoundAnswersToEscalate not negative.")
            .Validate(o => o.EscalateAtOrBelowSentiment is >= -1 and <= 1, "RagFunctions:Chat:Triage:EscalateAtOrBelowSentiment must be between -1 and 1.")
            .ValidateOnStart();
        services.AddUsageLimits(configuration);
        services.AddChatPipeline();
        services.TryAddScoped<ChatApiServices>();
        services.TryAddScoped<Health.HealthProbe>();
        return services;
    }
}
