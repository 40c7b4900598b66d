namespace RagFunctions.Core.Ingestion.Workflow;

/// <summary>An activity failed; hosts translate their own failure type (e.g. Durable's TaskFailedException) into this, with the activity's message.</summary>
public sealed class ActivityFailedException(string activityName, string message, Exception? inner = null)
    : Exception(message, inner)
{
    public string ActivityName { get; } = activityName;
}
