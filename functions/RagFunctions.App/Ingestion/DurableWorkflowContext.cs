using Microsoft.DurableTask;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Ingestion;

/// <summary>
/// Runs Core's <see cref="IngestionWorkflow"/> on Durable Functions: each <see cref="IWorkflowContext"/> call becomes a
/// scheduled activity of the orchestration, so replay and fan-out (<c>Task.WhenAll</c> over activity tasks) are Durable's.
/// </summary>
/// <remarks>
/// API source: learn.microsoft.com/azure/azure-functions/durable/durable-functions-dotnet-isolated-overview and the
/// Microsoft.DurableTask reference — <c>TaskOrchestrationContext.CallActivityAsync&lt;TResult&gt;(TaskName, object?, TaskOptions?)</c>,
/// <c>TaskOptions.FromRetryPolicy(RetryPolicy)</c>, <c>TaskFailedException.FailureDetails.ErrorMessage</c>
/// (durable-functions-error-handling). Deterministic: no I/O, clock or randomness here either.
/// </remarks>
public sealed class DurableWorkflowContext(TaskOrchestrationContext context) : IWorkflowContext
{
    // Every ingestion activity is idempotent (upserts keyed by document id, "replace the document's chunks"), so a
    // transient failure (search throttling, a storage blip) is retried by Durable before the workflow sees it and marks the
    // document failed. The embedding generator retries 429s itself; this covers everything around it.
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(
        maxNumberOfAttempts: 3,
        firstRetryInterval: TimeSpan.FromSeconds(5),
        backoffCoefficient: 2.0));

    public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
    {
        try
        {
            // Recording the failure itself must not be retried into a loop: Fail runs once.
            return await context.CallActivityAsync<TResult>(activityName, input, activityName == IngestionActivityNames.Fail ? null : Retry);
        }
        catch (TaskFailedException ex)
        {
            throw new ActivityFailedException(activityName, ex.FailureDetails.ErrorMessage, ex);
        }
    }
}
