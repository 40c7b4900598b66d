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
    /// <see cref="IChatClientFactory"/> when one is registered; falls back to a rough <see cref="ITokenCounter"/> when none is.</summary>
    public static IServiceCollection AddChatPipeline(this IServiceCollection services)
    {
        services.AddOptions<ChatPipelineOptions>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter, ApproximateTokenCounter>();
        services.TryAddSingleton<ExtractiveAnswerer>();
        services.TryAddScoped<ConversationLoader>();
        services.TryAddScoped<HistoryWindow>();
        services.TryAddScoped<SourceRetriever>();
        services.TryAddScoped<ContextBuilder>();
        services.TryAddScoped<PromptBuilder>();
        services.TryAddScoped(sp => ModelFallbackChain.FromOptions(
            sp.GetRequiredService<IOptions<ChatPipelineOptions>>(),
            sp.GetService<IChatClientFactory>(),
            sp.GetRequiredService<ExtractiveAnswerer>(),
            sp.GetRequiredService<ILogger<ModelFallbackChain>>()));
        services.TryAddScoped<ChatTurnPipeline>();
        return services;
    }
}

/// <summary>Used only when no real token counter is registered: about four characters per token, the usual English average.</summary>
internal sealed class ApproximateTokenCounter : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text) => (text.Length + 3) / 4;
}
