using Microsoft.DurableTask;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.App.Ingestion;

/// <summary>
/// Runs Core's <see cref="IngestionWorkflow"/> on Durable Functions: each <see cref="IWorkflowContext"/> call becomes a
/// scheduled activity of the orchestration, so replay and fan-out (<c>Task.WhenAll</c> over activity tasks) are Durable's.
/// </summary>
/// <remarks>
/// API source: learn.microsoft.com/azure/azure-functions/durable/durable-functions-dotnet-isolated-overview and the
/// Microsoft.DurableTask reference — <c>TaskOrchestrationContext.CallActivityAsync&lt;TResult&gt;(TaskName, object?, TaskOptions?)</c>,
/// <c>TaskOptions.FromRetryPolicy(RetryPolicy)</c>, <c>TaskFailedException.FailureDetails</c> (durable-functions-error-handling).
/// A failed activity surfaces as <c>TaskFailedException</c> whose own message is Durable's ("Task 'X' (#n) failed with an
/// unhandled exception: …") and whose inner exception, if any, is not the activity's; the activity's message and type
/// travel as <c>FailureDetails.ErrorMessage</c> / <c>ErrorType</c> (measured with DurableTaskTestHost, RagFunctions.App.Tests).
/// Deterministic: no I/O, clock or randomness here either.
/// </remarks>
public sealed class DurableWorkflowContext(TaskOrchestrationContext context, TaskOptions? retry) : IWorkflowContext
{
    /// <summary>The retry policy for ingestion activities from <see cref="IngestionOptions"/>, or null when retries are off.</summary>
    /// <remarks>Every ingestion activity is idempotent (upserts keyed by document id, "replace the document's chunks",
    /// staged items overwritten), so a transient failure (search throttling, a storage blip) is retried by Durable before the
    /// workflow sees it and marks the document failed. The embedding generator retries 429s itself; this covers everything
    /// around it. Durable replays the retry timers from history, so the settings must not change while orchestrations run.</remarks>
    public static TaskOptions? RetryFrom(IngestionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ActivityMaxAttempts <= 1
            ? null
            : TaskOptions.FromRetryPolicy(new RetryPolicy(
                maxNumberOfAttempts: options.ActivityMaxAttempts,
                firstRetryInterval: options.ActivityFirstRetryInterval > TimeSpan.Zero ? options.ActivityFirstRetryInterval : TimeSpan.FromMilliseconds(1),
                backoffCoefficient: 2.0));
    }

    public async Task<TResult> CallActivityAsync<TResult>(string activityName, object? input)
    {
        try
        {
            // Recording the failure itself must not be retried into a loop: Fail runs once.
            return await context.CallActivityAsync<TResult>(activityName, input, activityName == IngestionActivityNames.Fail ? null : retry);
        }
        catch (TaskFailedException ex)
        {
            throw new ActivityFailedException(activityName, ex.FailureDetails.ErrorMessage, ex);
        }
    }
}
