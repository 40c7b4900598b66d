namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>The only thing a workflow may do besides pure computation: call a named activity with an input.
/// Durable Functions wraps <c>TaskOrchestrationContext</c>; the local host calls the activities directly.
/// Workflows over this interface must be deterministic (no I/O, no clock, no randomness) so Durable can replay them.</summary>
public interface IWorkflowContext
{
    /// <summary>Schedules activity <paramref name="activityName"/> with <paramref name="input"/> and returns its result.</summary>
    Task<TResult> CallActivityAsync<TResult>(string activityName, object? input);
}
