namespace RagFunctions.Core.Chat.Triage;

/// <summary>Bound from <c>RagFunctions:Chat:Triage</c>: how user messages are classified for support staff.</summary>
public sealed class TriageOptions
{
    public const string Section = "RagFunctions:Chat:Triage";

    /// <summary>The intents a message may get. The rule classifier knows <see cref="TriageIntents.All"/>; an intent it finds that is not
    /// listed becomes the last listed one (conventionally <c>other</c>). A model chooses from this list.</summary>
    public List<string> Intents { get; set; } = [.. TriageIntents.All];

    /// <summary>Role claim (token <c>roles</c>) that may read <c>GET /api/chat/escalations</c>.</summary>
    public string SupportRole { get; set; } = "support.read";

    /// <summary>How long the model classification may take (only with models configured); after that the rule classifier answers.</summary>
    public int TimeoutSeconds { get; set; } = 3;

    /// <summary>Sentiment at or below this escalates.</summary>
    public double EscalateAtOrBelowSentiment { get; set; } = -0.4;

    /// <summary>This many earlier answers in the conversation that found nothing make the next message escalate (0 = never).</summary>
    public int NotFoundAnswersToEscalate { get; set; } = 2;
}

/// <summary>The intents the rule classifier recognises.</summary>
public static class TriageIntents
{
    public const string Question = "question";
    public const string Complaint = "complaint";
    public const string BugReport = "bug_report";
    public const string RequestHuman = "request_human";
    public const string Feedback = "feedback";
    public const string Other = "other";

    public static readonly IReadOnlyList<string> All = [Question, Complaint, BugReport, RequestHuman, Feedback, Other];
}
