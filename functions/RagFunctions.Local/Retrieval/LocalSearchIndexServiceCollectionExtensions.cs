using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Retrieval;

public static class LocalSearchIndexServiceCollectionExtensions
{
    /// <summary>Registers <see cref="SqliteSearchIndex"/> as the singleton <see cref="ISearchIndex"/> and loads it when the host starts
    /// (the host is not ready until the index is), and as the <see cref="IVectorCache"/> ingestion reuses vectors from.
    /// Vector size comes from <c>RagFunctions:Embedding:Dimensions</c>.</summary>
    public static IServiceCollection AddLocalSearchIndex(this IServiceCollection services)
    {
        services.AddOptions<EmbeddingOptions>().BindConfiguration(EmbeddingOptions.Section);
        services.TryAddSingleton<SqliteDatabase>();
        services.TryAddSingleton<SqliteSearchIndex>();
        services.TryAddSingleton<ISearchIndex>(sp => sp.GetRequiredService<SqliteSearchIndex>());
        // The index is the vector cache (it stores each chunk's embedder and text hash); replaces Core's no-op default.
        services.RemoveAll<IVectorCache>();
        services.AddSingleton<IVectorCache>(sp => sp.GetRequiredService<SqliteSearchIndex>());
        services.AddHostedService<SearchIndexWarmup>();
        services.TryAddSingleton<ReembeddingProgress>();
        services.AddHostedService<ReembeddingService>();
        return services;
    }
}

/// <summary>Loads the search index from SQLite during host start-up, so the first query does not pay for it.</summary>
internal sealed class SearchIndexWarmup(ISearchIndex index) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => index.EnsureReadyAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
