using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace RagFunctions.App.Ingestion;

/// <summary>A created or changed blob in the <c>documents</c> container starts its ingestion (deletions:
/// <c>DocumentBlobDeletedTrigger</c>, built with the messaging triggers).</summary>
/// <remarks>
/// Function names are part of the deployment: infra subscribes Event Grid to <c>Host.Functions.DocumentBlobTrigger</c>
/// (blob extension webhook). API sources: BlobTrigger with <c>Source = BlobTriggerSource.EventGrid</c> (required on Flex
/// Consumption) — learn.microsoft.com/azure/azure-functions/functions-event-grid-blob-trigger and
/// functions-bindings-storage-blob-trigger; <c>[DurableClient] DurableTaskClient</c> — durable-functions-dotnet-isolated-overview.
/// </remarks>
public sealed class DocumentBlobFunctions(DurableIngestionStarter starter)
{
    public const string Container = "documents";

    [Function("DocumentBlobTrigger")]
    public Task DocumentBlobTrigger(
        [BlobTrigger(Container + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] Stream blob,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        starter.StartAsync(client, name, blob, cancellationToken);
}
