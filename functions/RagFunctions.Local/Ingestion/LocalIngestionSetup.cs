using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Staging;

namespace RagFunctions.Local.Ingestion;

public static class LocalIngestionSetup
{
    /// <summary>Drop folder, SQLite catalog, staging folder, in-process queue and watcher on top of the shared ingestion core.</summary>
    public static IServiceCollection AddLocalIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section));
        services.AddOptions<DropFolderWatchOptions>().Bind(configuration.GetSection(DropFolderWatchOptions.Section));
        services.AddIngestionCore();
        services.AddSingleton<DropFolder>();
        services.AddSingleton<IDocumentSource>(sp => sp.GetRequiredService<DropFolder>());
        services.AddSingleton<IDocumentCatalog, SqliteDocumentCatalog>();
        services.AddSingleton<IIngestionStaging, FolderIngestionStaging>();
        services.AddSingleton<LocalIngestionQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalIngestionQueue>());
        services.AddSingleton<DropFolderStamps>();
        services.AddSingleton<IDocumentDropBox, QueueingDropBox>();
        services.AddSingleton<IDocumentRequeue, LocalDocumentRequeue>();
        services.AddHostedService<DropFolderWatcher>();
        services.AddHostedService<IngestionProgressReporter>();
        return services;
    }
}
