using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Ingestion;

public static class IngestionServiceCollectionExtensions
{
    /// <summary>Ingestion behaviour shared by both hosts: intake, activities, metrics, and the hybrid retriever.
    /// Hosts add the ports (document source, catalog, index, embedder, staging) and options binding.</summary>
    public static IServiceCollection AddIngestionCore(this IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IngestionMetrics>();
        services.TryAddSingleton<IngestionIntake>();
        services.TryAddSingleton<StagedIngestionData>();
        // A host whose index gives vectors back replaces this (RemoveAll + Add) with its index-backed cache.
        services.TryAddSingleton<IVectorCache, NoVectorCache>();
        services.TryAddSingleton<IngestionActivities>();
        services.TryAddSingleton<HybridRetriever>();
        return services;
    }
}
