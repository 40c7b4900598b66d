using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Ingestion;

/// <summary>The Durable ingestion orchestration: one call into Core's <see cref="IngestionWorkflow"/>.</summary>
/// <remarks>API source: learn.microsoft.com/azure/azure-functions/durable/durable-functions-dotnet-isolated-overview —
/// <c>[OrchestrationTrigger] TaskOrchestrationContext</c>, <c>GetInput&lt;T&gt;()</c>. Its only dependency is the options
/// the retry policy is read from (configuration, not I/O): orchestrator code must stay deterministic.</remarks>
public sealed class IngestionOrchestrator(IOptions<IngestionOptions> options)
{
    [Function(IngestionActivityNames.Orchestrator)]
    public Task<IngestionOutcome> Run([OrchestrationTrigger] TaskOrchestrationContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var request = context.GetInput<IngestionRequest>()
            ?? throw new InvalidOperationException($"Orchestration {context.InstanceId} has no {nameof(IngestionRequest)} input.");
        return IngestionWorkflow.RunAsync(new DurableWorkflowContext(context, DurableWorkflowContext.RetryFrom(options.Value)), request);
    }
}

/// <summary>
/// The ingestion activities: each is one call into Core's <see cref="IngestionActivities"/>, named by
/// <see cref="IngestionActivityNames"/> so the orchestrator and the local runner call the same names. Inputs and outputs are
/// references and counts (chunk text and vectors are staged), so Durable history and queue messages stay small.
/// </summary>
/// <remarks><c>[ActivityTrigger]</c> with a typed input (durable-functions-dotnet-isolated-overview).</remarks>
public sealed class IngestionFunctions(IngestionActivities activities)
{
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
