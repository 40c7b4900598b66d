using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Chat;

public static class ChatServiceCollectionExtensions
{
    /// <summary>Registers the turn pipeline (scoped, so it may depend on scoped stores). Bind <see cref="ChatPipelineOptions"/> separately.
    /// Needs <c>IConversationStore</c>, <c>ISearchIndex</c>, <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c>; uses an
    /// <see cref="IChatClientFactory"/> and an <see cref="ITokenCounter"/> when registered (else the extractive answerer and a rough estimate).</summary>
    public static IServiceCollection AddChatPipeline(this IServiceCollection services)
    {
        services.AddOptions<ChatPipelineOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ExtractiveAnswerer>();
        services.TryAddScoped<ConversationLoader>();
        services.TryAddScoped(sp => new HistoryWindow(Counter(sp)));
        services.TryAddScoped<SourceRetriever>();
        services.TryAddScoped(sp => new ContextBuilder(Counter(sp)));
        services.TryAddScoped(sp => new PromptBuilder(Counter(sp)));
        services.TryAddSingleton(sp => new ModelHealthRegistry(sp.GetService<TimeProvider>() ?? TimeProvider.System));
        services.TryAddScoped(sp => ModelFallbackChain.FromOptions(
            sp.GetRequiredService<IOptions<ChatPipelineOptions>>(),
            sp.GetService<IChatClientFactory>(),
            sp.GetRequiredService<ExtractiveAnswerer>(),
            sp.GetRequiredService<ILogger<ModelFallbackChain>>(),
            sp.GetService<ModelHealthRegistry>()));
        services.TryAddScoped(sp => ConversationTitleWriter.FromOptions(
            sp.GetRequiredService<IOptions<ChatPipelineOptions>>(),
            sp.GetService<IChatClientFactory>(),
            sp.GetRequiredService<ILogger<ConversationTitleWriter>>()));
        services.TryAddScoped(sp => Grounding.RetrievalQueryPlanner.FromOptions(
            sp.GetRequiredService<IOptions<ChatPipelineOptions>>(),
            sp.GetService<IChatClientFactory>(),
            sp.GetRequiredService<ILogger<Grounding.RetrievalQueryPlanner>>()));
        services.AddOptions<Triage.TriageOptions>();
        services.TryAddScoped(sp => Triage.MessageTriager.FromOptions(
            sp.GetRequiredService<IOptions<ChatPipelineOptions>>(),
            sp.GetRequiredService<IOptions<Triage.TriageOptions>>(),
            sp.GetService<IChatClientFactory>(),
            sp.GetRequiredService<ILogger<Triage.MessageTriager>>()));
        services.TryAddScoped(sp => ActivatorUtilities.CreateInstance<ChatTurnPipeline>(sp, Counter(sp)));
        return services;
    }

    /// <summary>The registered counter whenever one is registered (in whatever order features are wired), else a rough estimate.</summary>
    private static ITokenCounter Counter(IServiceProvider services) => services.GetService<ITokenCounter>() ?? ApproximateTokenCounter.Instance;
}

/// <summary>Used only when no real token counter is registered: about four characters per token, the usual English average.</summary>
internal sealed class ApproximateTokenCounter : ITokenCounter
{
    public static ApproximateTokenCounter Instance { get; } = new();

    public int CountTokens(ReadOnlySpan<char> text) => (text.Length + 3) / 4;
}
