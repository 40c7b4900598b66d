using Azure;
using Azure.Storage.Blobs;
using Azure.Storage.Blobs.Models;
using RagFunctions.Core.Ingestion.Staging;

namespace RagFunctions.Azure.Ingestion;

/// <summary><see cref="IIngestionStaging"/> on Azure Blob Storage: blob <c>{runId}/{name}</c> in the <c>ingestion-staging</c>
/// container of the app's storage account (infra/modules/storage.bicep creates it; a lifecycle rule there removes what a run
/// that never ended left behind).</summary>
/// <remarks>API: <c>BlobClient.UploadAsync(BinaryData, overwrite)</c>, <c>DownloadContentAsync</c>,
/// <c>BlobContainerClient.GetBlobsAsync(prefix:)</c>, <c>DeleteBlobIfExistsAsync</c> (Azure.Storage.Blobs 12.x reference,
/// learn.microsoft.com/dotnet/api/azure.storage.blobs). An upload replaces the whole blob atomically, so a retried activity's
/// rewrite is never seen half-written.</remarks>
public sealed class BlobIngestionStaging(BlobContainerClient container) : IIngestionStaging
{
    public const string ContainerName = "ingestion-staging";

    public async Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken) =>
        await container.GetBlobClient(BlobName(runId, name)).UploadAsync(BinaryData.FromBytes(content), overwrite: true, cancellationToken);

    public async Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken)
    {
        try
        {
            var download = await container.GetBlobClient(BlobName(runId, name)).DownloadContentAsync(cancellationToken);
            return download.Value.Content.ToArray();
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    public async Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        var prefix = StagingNames.Validate(runId, nameof(runId)) + "/";
        await foreach (var blob in container.GetBlobsAsync(BlobTraits.None, BlobStates.None, prefix, cancellationToken))
        {
            await container.DeleteBlobIfExistsAsync(blob.Name, cancellationToken: cancellationToken);
        }
    }

    private static string BlobName(string runId, string name) =>
        StagingNames.Validate(runId, nameof(runId)) + "/" + StagingNames.Validate(name, nameof(name));
}
