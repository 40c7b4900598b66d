using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.Identity;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Staging;

namespace RagFunctions.Azure.Storage;

public static class BlobStorageServiceCollectionExtensions
{
    /// <summary>The <see cref="BlobServiceClient"/> of the <c>AzureWebJobsStorage</c> account (see <see cref="BlobServiceClientFactory"/>),
    /// with the options of <c>RagFunctions:BlobStorage</c>. Other features get their containers from it.</summary>
    public static IServiceCollection AddBlobStorage(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAzureCredentials(configuration);
        services.AddOptions<BlobStorageOptions>().Bind(configuration.GetSection(BlobStorageOptions.Section));
        services.TryAddSingleton(sp => BlobServiceClientFactory.Create(
            configuration.GetSection(BlobServiceClientFactory.DefaultConnectionName),
            sp.GetRequiredService<IOptions<BlobStorageOptions>>().Value.ToClientOptions(),
            () => sp.GetService<TokenCredential>() ?? sp.GetRequiredService<AzureCredentialFactory>().GetCredential()));
        return services;
    }

    /// <summary><see cref="IDocumentSource"/>, <see cref="IDocumentDropBox"/> and <see cref="IDocumentRequeue"/> on the blob container
    /// <paramref name="containerName"/> (the one the host's blob trigger watches), replacing local ones.</summary>
    public static IServiceCollection AddBlobDocuments(this IServiceCollection services, IConfiguration configuration, string containerName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(containerName);
        services.AddBlobStorage(configuration);
        services.TryAddSingleton(sp => new DocumentsContainer(
            new BlobContainerStore(sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(containerName))));
        services.RemoveAll<IDocumentSource>();
        services.RemoveAll<IDocumentDropBox>();
        services.RemoveAll<IDocumentRequeue>();
        services.AddSingleton<IDocumentSource, BlobDocumentSource>();
        services.AddSingleton<IDocumentDropBox, BlobDocumentDropBox>();
        services.AddSingleton<IDocumentRequeue, BlobDocumentRequeue>();
        return services;
    }

    /// <summary><see cref="IIngestionStaging"/> on the <c>ingestion-staging</c> container of the same account, replacing a local one.</summary>
    public static IServiceCollection AddBlobIngestionStaging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddBlobStorage(configuration);
        services.RemoveAll<IIngestionStaging>();
        services.AddSingleton<IIngestionStaging>(sp => new BlobIngestionStaging(
            sp.GetRequiredService<BlobServiceClient>().GetBlobContainerClient(BlobIngestionStaging.ContainerName)));
        return services;
    }
}
