using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Local.Ingestion;

public static class LocalIngestionSetup
{
    /// <summary>Drop folder, SQLite catalog, in-process queue and watcher on top of the shared ingestion core.</summary>
    public static IServiceCollection AddLocalIngestion(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section));
        services.AddOptions<DropFolderWatchOptions>().Bind(configuration.GetSection(DropFolderWatchOptions.Section));
        services.AddIngestionCore();
        services.AddSingleton<DropFolder>();
        services.AddSingleton<IDocumentSource>(sp => sp.GetRequiredService<DropFolder>());
        services.AddSingleton<IDocumentCatalog, SqliteDocumentCatalog>();
        services.AddSingleton<LocalIngestionQueue>();
        services.AddHostedService(sp => sp.GetRequiredService<LocalIngestionQueue>());
        services.AddSingleton<IDocumentDropBox, QueueingDropBox>();
        services.AddHostedService<DropFolderWatcher>();
        services.AddHostedService<IngestionProgressReporter>();
        return services;
    }
}
