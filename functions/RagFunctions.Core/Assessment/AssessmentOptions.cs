namespace RagFunctions.Core.Assessment;

/// <summary>Bound from <c>RagFunctions:Assessment</c>: how assessment events become advisor conversations.</summary>
public sealed class AssessmentOptions
{
    public const string Section = "RagFunctions:Assessment";

    /// <summary>Service Bus queue the Functions trigger listens on.</summary>
    public string QueueName { get; set; } = "assessment-events";

    /// <summary>Service Bus topic that also receives <c>chatbot_ready</c> notifications on Azure; empty disables the output.</summary>
    public string NotificationsTopic { get; set; } = "notifications";

    /// <summary>Shared secret for <c>POST /api/chat/assessments/events</c> (header <c>X-Internal-Key</c>); empty disables the endpoint.</summary>
    public string InternalKey { get; set; } = string.Empty;

    /// <summary>Archive the user's older assessment conversations when a newer assessment arrives.</summary>
    public bool ArchivePrevious { get; set; } = true;

    /// <summary>Local folder inbox; empty means <c>{RagFunctions:Local:DataDirectory}/events/assessment</c> (./data/events/assessment by default).</summary>
    public string InboxFolder { get; set; } = string.Empty;
}
