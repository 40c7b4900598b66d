using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Ingestion;

/// <summary>
/// Starts the ingestion orchestration for one blob version, at most once at a time: the instance id is
/// <see cref="IngestionInstanceIds.For"/>(path, content hash), so a duplicate Event Grid delivery finds the same instance.
/// </summary>
/// <remarks>
/// Why the status check: with a fixed instance id, <c>ScheduleNewOrchestrationInstanceAsync</c> does not reliably refuse a
/// running instance (the durabletask-dotnet contract says it "may fail silently" for non-terminal states, and Durable
/// Functions may restart it depending on <c>overridableExistingInstanceStates</c>), while a terminal instance is recreated.
/// So: Pending/Running/Suspended → this version is already being ingested, skip; otherwise (none, Completed, Failed,
/// Terminated) → let the intake decide (it answers null when exactly this content is already indexed, which also covers a
/// Completed instance) and schedule, replacing a terminal instance. This is the singleton pattern of
/// learn.microsoft.com/azure/azure-functions/durable/durable-functions-singletons (GetInstanceAsync → OrchestrationMetadata.RuntimeStatus).
/// Two deliveries racing past the check schedule the same deterministic work twice at worst; every activity is idempotent.
/// </remarks>
public sealed partial class DurableIngestionStarter(IngestionIntake intake, ILogger<DurableIngestionStarter> logger)
{
    private static readonly OrchestrationRuntimeStatus[] Active =
    [
        OrchestrationRuntimeStatus.Pending,
        OrchestrationRuntimeStatus.Running,
        OrchestrationRuntimeStatus.Suspended,
    ];

    /// <summary>Hashes <paramref name="content"/>, records the document as queued and schedules its orchestration; returns the
    /// instance id, or null when nothing needed to run.</summary>
    public async Task<string?> StartAsync(DurableTaskClient client, string blobPath, Stream content, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var (hash, length) = await ContentHasher.ComputeAsync(content, cancellationToken);
        var instanceId = IngestionInstanceIds.For(blobPath, hash);

        var existing = await client.GetInstanceAsync(instanceId, getInputsAndOutputs: false, cancellationToken);
        if (existing is not null && Active.Contains(existing.RuntimeStatus))
        {
            LogAlreadyRunning(instanceId, blobPath, existing.RuntimeStatus);
            return null;
        }

        if (await intake.AcceptAsync(blobPath, hash, length, cancellationToken) is not { } request)
        {
            return null;
        }

        await client.ScheduleNewOrchestrationInstanceAsync(
            IngestionActivityNames.Orchestrator, request, new StartOrchestrationOptions(instanceId), cancellationToken);
        LogScheduled(instanceId, blobPath, length);
        return instanceId;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {InstanceId} for {SourcePath} is already {Status}; duplicate event ignored")]
    private partial void LogAlreadyRunning(string instanceId, string sourcePath, OrchestrationRuntimeStatus status);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion {InstanceId} scheduled for {SourcePath} ({SizeBytes} bytes)")]
    private partial void LogScheduled(string instanceId, string sourcePath, long sizeBytes);
}
