using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Ingestion.Embedding;

public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>Key of the keyed <c>IEmbeddingGenerator&lt;string, Embedding&lt;float&gt;&gt;</c> that does the real work;
    /// the unkeyed registration is the resilient wrapper around it.</summary>
    public const string InnerGeneratorKey = "RagFunctions:Embedding:Inner";

    /// <summary>
    /// Registers chunking and embedding: <see cref="ChunkingOptions"/>, <see cref="EmbeddingOptions"/>, exact cl100k counts
    /// (<see cref="OpenAITokenCounter"/>) as <see cref="ITokenCounter"/>, <see cref="StructuredChunker"/> as <see cref="IChunker"/>, <see cref="EmbeddingBatchPlanner"/>,
    /// and <see cref="HashedNgramEmbedder"/> as the inner generator wrapped by <see cref="ResilientEmbeddingGenerator"/>.
    /// A host with a real model calls <see cref="UseInnerEmbeddingGenerator"/> afterwards.
    /// </summary>
    public static IServiceCollection AddLocalEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);

        services.AddOptions<ChunkingOptions>()
            .Bind(configuration.GetSection(ChunkingOptions.Section))
            .Validate(o => o.MaxTokens >= 16 && o.OverlapTokens >= 0 && o.OverlapTokens <= o.MaxTokens / 2,
                "RagFunctions:Chunking: MaxTokens must be >= 16 and OverlapTokens between 0 and MaxTokens/2.");
        services.AddOptions<EmbeddingOptions>()
            .Bind(configuration.GetSection(EmbeddingOptions.Section))
            .Validate(o => o.Dimensions is >= 2 and <= 65536 && o.MaxBatchInputs >= 1 && o.MaxBatchTokens >= 1 && o.MaxRetries >= 0
                    && o.BaseDelay >= TimeSpan.Zero && o.MaxDelay >= o.BaseDelay,
                "RagFunctions:Embedding: Dimensions 2..65536, MaxBatchInputs/MaxBatchTokens >= 1, MaxRetries >= 0, 0 <= BaseDelay <= MaxDelay.");

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITokenCounter>(OpenAITokenCounter.Cl100k);
        // Chunks are sized for the embedder that will read them: a local model with a fixed window reports it.
        services.TryAddSingleton<IChunker>(sp => new StructuredChunker(
            sp.GetRequiredService<ITokenCounter>(),
            sp.GetRequiredService<IOptions<ChunkingOptions>>(),
            sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(InnerGeneratorKey).GetService<EmbeddingWindow>()));
        services.TryAddSingleton<EmbeddingBatchPlanner>();
        services.TryAddSingleton(sp => new EmbeddingMetrics(sp.GetService<System.Diagnostics.Metrics.IMeterFactory>()));
        services.TryAddSingleton<IRetryDelay, TimeProviderRetryDelay>();
        services.TryAddKeyedSingleton<IEmbeddingGenerator<string, Embedding<float>>>(
            InnerGeneratorKey, (sp, _) => new HashedNgramEmbedder(sp.GetRequiredService<IOptions<EmbeddingOptions>>()));
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => new ResilientEmbeddingGenerator(
            sp.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(InnerGeneratorKey),
            sp.GetRequiredService<IOptions<EmbeddingOptions>>(),
            sp.GetRequiredService<EmbeddingMetrics>(),
            sp.GetRequiredService<IRetryDelay>(),
            sp.GetService<ILogger<ResilientEmbeddingGenerator>>()));
        return services;
    }

    /// <summary>Replaces the inner (unwrapped) embedding generator, e.g. with an Azure OpenAI one; retries and metrics stay.</summary>
    public static IServiceCollection UseInnerEmbeddingGenerator(
        this IServiceCollection services,
        Func<IServiceProvider, IEmbeddingGenerator<string, Embedding<float>>> factory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(factory);
        services.RemoveAllKeyed<IEmbeddingGenerator<string, Embedding<float>>>(InnerGeneratorKey);
        services.AddKeyedSingleton(InnerGeneratorKey, (sp, _) => factory(sp));
        return services;
    }
}
