using Azure.Messaging.EventGrid;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.App.Ingestion;

/// <summary>The <c>documents</c> container's two events: a created blob starts ingestion, a deleted blob removes its chunks.</summary>
/// <remarks>
/// Function names are part of the deployment: infra subscribes Event Grid to <c>Host.Functions.DocumentBlobTrigger</c>
/// (blob extension webhook) and must subscribe BlobDeleted to <c>DocumentBlobDeleted</c> (Event Grid extension webhook).
/// API sources: BlobTrigger with <c>Source = BlobTriggerSource.EventGrid</c> (required on Flex Consumption) —
/// learn.microsoft.com/azure/azure-functions/functions-event-grid-blob-trigger and functions-bindings-storage-blob-trigger;
/// <c>[DurableClient] DurableTaskClient</c> — durable-functions-dotnet-isolated-overview; <c>[EventGridTrigger] EventGridEvent</c>
/// (Azure.Messaging.EventGrid, Event Grid schema delivery) — functions-bindings-event-grid-trigger ("Binding types", isolated).
/// The blob trigger's Event Grid endpoint processes BlobCreated only, hence the separate Event Grid trigger for deletions.
/// </remarks>
public sealed partial class DocumentBlobFunctions(DurableIngestionStarter starter, IngestionIntake intake, ILogger<DocumentBlobFunctions> logger)
{
    public const string Container = "documents";
    private const string BlobDeletedEventType = "Microsoft.Storage.BlobDeleted";

    [Function("DocumentBlobTrigger")]
    public Task DocumentBlobTrigger(
        [BlobTrigger(Container + "/{name}", Source = BlobTriggerSource.EventGrid, Connection = "AzureWebJobsStorage")] Stream blob,
        string name,
        [DurableClient] DurableTaskClient client,
        CancellationToken cancellationToken) =>
        starter.StartAsync(client, name, blob, cancellationToken);

    [Function("DocumentBlobDeleted")]
    public async Task DocumentBlobDeleted([EventGridTrigger] EventGridEvent blobEvent, CancellationToken cancellationToken)
    {
        // The subscription may also deliver BlobCreated or other containers' events; only our deletions matter here.
        if (blobEvent.EventType != BlobDeletedEventType || !BlobEventSubjects.TryGetBlobPath(blobEvent.Subject, Container, out var path))
        {
            LogIgnored(blobEvent.EventType, blobEvent.Subject);
            return;
        }

        await intake.RemoveBySourcePathAsync(path, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventType} for {Subject} ignored")]
    private partial void LogIgnored(string eventType, string subject);
}
