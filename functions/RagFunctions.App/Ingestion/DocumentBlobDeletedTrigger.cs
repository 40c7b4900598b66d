using Azure.Messaging.EventGrid;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.App.Ingestion;

/// <summary>A deleted blob in the <c>documents</c> container removes its document (Event Grid <c>Microsoft.Storage.BlobDeleted</c>).</summary>
/// <remarks>
/// Compiled only with <c>IncludeMessagingTriggers=true</c> (see RagFunctions.App.csproj): this file is all the app needs from
/// Worker.Extensions.EventGrid; the removal is <see cref="IngestionIntake.RemoveBySourcePathAsync"/> and the subject parsing
/// <see cref="BlobEventSubjects"/> (Core, tested). The blob trigger's Event Grid endpoint processes BlobCreated only, hence a
/// separate Event Grid trigger; infra must subscribe BlobDeleted to <c>DocumentBlobDeleted</c> (Event Grid extension webhook).
/// Signature checked against the public source of Azure/azure-functions-dotnet-worker:
/// extensions/Worker.Extensions.EventGrid/src/EventGridTriggerAttribute.cs (parameterless, <c>IsBatched</c>) and
/// extensions/Worker.Extensions.EventGrid/src/TypeConverters/EventGridEventConverter.cs (binds <see cref="EventGridEvent"/>,
/// Event Grid schema delivery).
/// </remarks>
public sealed partial class DocumentBlobDeletedTrigger(IngestionIntake intake, ILogger<DocumentBlobDeletedTrigger> logger)
{
    private const string BlobDeletedEventType = "Microsoft.Storage.BlobDeleted";

    [Function("DocumentBlobDeleted")]
    public async Task DocumentBlobDeleted([EventGridTrigger] EventGridEvent blobEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(blobEvent);

        // The subscription may also deliver BlobCreated or other containers' events; only our deletions matter here.
        if (blobEvent.EventType != BlobDeletedEventType
            || !BlobEventSubjects.TryGetBlobPath(blobEvent.Subject, DocumentBlobFunctions.Container, out var path))
        {
            LogIgnored(blobEvent.EventType, blobEvent.Subject);
            return;
        }

        await intake.RemoveBySourcePathAsync(path, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventType} for {Subject} ignored")]
    private partial void LogIgnored(string eventType, string subject);
}
