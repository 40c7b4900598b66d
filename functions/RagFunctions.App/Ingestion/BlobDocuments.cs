using Azure;
using Azure.Core;
using Azure.Storage.Blobs;
using Microsoft.Extensions.Configuration;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.App.Ingestion;

/// <summary>The <c>documents</c> blob container, shared by <see cref="BlobDocumentSource"/> and <see cref="BlobDocumentDropBox"/>.</summary>
/// <remarks>Azure.Storage.Blobs arrives with the Storage.Blobs worker extension. The account is the one the blob trigger
/// watches (connection <c>AzureWebJobsStorage</c>), read from the identity-based connection settings the Functions host
/// uses — <c>AzureWebJobsStorage__blobServiceUri</c> or <c>AzureWebJobsStorage__accountName</c> (learn.microsoft.com/azure/
/// azure-functions/functions-reference "Connecting to host storage with an identity") — or, for <c>func start</c> against
/// Azurite, the plain connection string.</remarks>
public sealed class DocumentsContainer(BlobContainerClient container)
{
    public BlobContainerClient Client { get; } = container;

    public static DocumentsContainer Create(IConfiguration configuration, TokenCredential credential) =>
        new(StorageAccount.CreateBlobService(configuration, credential).GetBlobContainerClient(DocumentBlobFunctions.Container));
}

/// <summary>The blob service of the app's storage account (connection <c>AzureWebJobsStorage</c>), for the <c>documents</c>
/// and <c>ingestion-staging</c> containers.</summary>
public static class StorageAccount
{
    public static BlobServiceClient CreateBlobService(IConfiguration configuration, TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection("AzureWebJobsStorage");
        if (storage["blobServiceUri"] is { Length: > 0 } serviceUri)
        {
            return new BlobServiceClient(new Uri(serviceUri), credential);
        }

        if (storage["accountName"] is { Length: > 0 } account)
        {
            return new BlobServiceClient(new Uri($"https://{account}.blob.core.windows.net"), credential);
        }

        if (storage.Value is { Length: > 0 } connectionString)
        {
            return new BlobServiceClient(connectionString);
        }

        throw new InvalidOperationException("AzureWebJobsStorage__accountName (or __blobServiceUri, or a connection string) is not configured.");
    }
}

/// <summary><see cref="IDocumentSource"/> over the <c>documents</c> container: activities read the blob by its path.</summary>
public sealed class BlobDocumentSource(DocumentsContainer documents) : IDocumentSource
{
    public async Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken)
    {
        try
        {
            var download = await documents.Client.GetBlobClient(sourcePath).DownloadStreamingAsync(cancellationToken: cancellationToken);
            return download.Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Deleted between the event and the activity: the workflow records "the file no longer exists".
            return null;
        }
    }
}

/// <summary><see cref="IDocumentDropBox"/> over the <c>documents</c> container: an upload becomes a blob, and the blob's
/// BlobCreated event starts ingestion exactly as for a file uploaded any other way.</summary>
public sealed class BlobDocumentDropBox(DocumentsContainer documents) : IDocumentDropBox
{
    public async Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        var name = UploadFileNames.Sanitize(fileName);
        await documents.Client.GetBlobClient(name).UploadAsync(content, overwrite: true, cancellationToken);
        return name;
    }

    public async Task DeleteAsync(string sourcePath, CancellationToken cancellationToken) =>
        await documents.Client.GetBlobClient(sourcePath).DeleteIfExistsAsync(cancellationToken: cancellationToken);
}
