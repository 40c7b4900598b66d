using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Ingestion;

/// <summary>
/// The Durable ingestion orchestration and its activities: every function is one call into Core
/// (<see cref="IngestionWorkflow"/>, <see cref="IngestionActivities"/>), named by <see cref="IngestionActivityNames"/>
/// so the orchestrator and the local runner call the same names.
/// </summary>
/// <remarks>API source: learn.microsoft.com/azure/azure-functions/durable/durable-functions-dotnet-isolated-overview —
/// <c>[OrchestrationTrigger] TaskOrchestrationContext</c>, <c>GetInput&lt;T&gt;()</c>, <c>[ActivityTrigger]</c> with a typed input.
/// The orchestrator uses no injected service (orchestrator code must stay deterministic); activities get theirs by constructor.</remarks>
public sealed class IngestionFunctions(IngestionActivities activities)
{
    [Function(IngestionActivityNames.Orchestrator)]
    public static Task<IngestionOutcome> RunOrchestrator([OrchestrationTrigger] TaskOrchestrationContext context) =>
        IngestionWorkflow.RunAsync(new DurableWorkflowContext(context), context.GetInput<IngestionRequest>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no {nameof(IngestionRequest)} input."));

    [Function(IngestionActivityNames.Begin)]
    public Task<BeginResult> Begin([ActivityTrigger] IngestionRequest input, CancellationToken cancellationToken) =>
        activities.BeginAsync(input, cancellationToken);

    [Function(IngestionActivityNames.ExtractAndChunk)]
    public Task<ChunkedDocument> ExtractAndChunk([ActivityTrigger] ExtractInput input, CancellationToken cancellationToken) =>
        activities.ExtractAndChunkAsync(input, cancellationToken);

    [Function(IngestionActivityNames.EmbedBatch)]
    public Task<EmbedBatchResult> EmbedBatch([ActivityTrigger] EmbedBatchInput input, CancellationToken cancellationToken) =>
        activities.EmbedBatchAsync(input, cancellationToken);

    [Function(IngestionActivityNames.Index)]
    public Task<IndexResult> Index([ActivityTrigger] IndexInput input, CancellationToken cancellationToken) =>
        activities.IndexAsync(input, cancellationToken);

    [Function(IngestionActivityNames.Complete)]
    public Task<bool> Complete([ActivityTrigger] CompleteInput input, CancellationToken cancellationToken) =>
        activities.CompleteAsync(input, cancellationToken);

    [Function(IngestionActivityNames.Fail)]
    public Task<bool> Fail([ActivityTrigger] FailInput input, CancellationToken cancellationToken) =>
        activities.FailAsync(input, cancellationToken);
}
