namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>Runs a workflow's activities directly in this process (the local host's runner). Embedding batches run
/// with bounded parallelism, mirroring Durable's fan-out without its persistence.</summary>
public sealed class InProcessWorkflowContext(IngestionActivities activities, int maxParallelEmbeddings, CancellationToken cancellationToken)
    : IWorkflowContext, IDisposable
{
    private readonly SemaphoreSlim _embedSlots = new(Math.Max(1, maxParallelEmbeddings));

    public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
    {
        object result = activityName switch
        {
            IngestionActivityNames.Begin => await activities.BeginAsync(As<IngestionRequest>(input), cancellationToken),
            IngestionActivityNames.ExtractAndChunk => await activities.ExtractAndChunkAsync(As<ExtractInput>(input), cancellationToken),
            IngestionActivityNames.EmbedBatch => await EmbedAsync(As<EmbedBatchInput>(input)),
            IngestionActivityNames.Index => await activities.IndexAsync(As<IndexInput>(input), cancellationToken),
            IngestionActivityNames.Complete => await activities.CompleteAsync(As<CompleteInput>(input), cancellationToken),
            IngestionActivityNames.Fail => await activities.FailAsync(As<FailInput>(input), cancellationToken),
            _ => throw new ArgumentException($"unknown activity '{activityName}'", nameof(activityName)),
        };
        return (TResult)result;
    }

    public void Dispose() => _embedSlots.Dispose();

    private async Task<EmbedBatchResult> EmbedAsync(EmbedBatchInput input)
    {
        await _embedSlots.WaitAsync(cancellationToken);
        try
        {
            // Yield so that all batches are scheduled before the first one runs, as with Durable.
            await Task.Yield();
            return await activities.EmbedBatchAsync(input, cancellationToken);
        }
        finally
        {
            _embedSlots.Release();
        }
    }

    private static T As<T>(object? input) =>
        input is T typed ? typed : throw new ArgumentException($"expected input of type {typeof(T).Name}, got {input?.GetType().Name ?? "null"}");
}
