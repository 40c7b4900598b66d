using System.Text.Json;
using System.Text.Json.Serialization;

namespace RagFunctions.Core.History;

[JsonConverter(typeof(JsonStringEnumConverter<ConversationStatus>))]
public enum ConversationStatus
{
    [JsonStringEnumMemberName("active")] Active,
    [JsonStringEnumMemberName("archived")] Archived,
    [JsonStringEnumMemberName("deleted")] Deleted,
}

[JsonConverter(typeof(JsonStringEnumConverter<MessageRole>))]
public enum MessageRole
{
    [JsonStringEnumMemberName("user")] User,
    [JsonStringEnumMemberName("assistant")] Assistant,
    [JsonStringEnumMemberName("system")] System,
}

/// <summary>Context types a conversation can have; each has its own system prompt.</summary>
public static class ContextTypes
{
    public const string General = "general";
    public const string Assessment = "assessment";
    public const string CareerGuidance = "career_guidance";

    public static readonly IReadOnlyList<string> All = [General, Assessment, CareerGuidance];
}

/// <summary>A conversation owned by one user (partition key on Cosmos DB: <see cref="UserId"/>).</summary>
/// <param name="ContextData">Free-form context (e.g. assessment results) stored with the conversation.</param>
/// <param name="ContextSummary">Compact text always kept in the prompt (e.g. "RIASEC I92 R85 A78 · ...").</param>
/// <param name="AssessmentId">Set for assessment conversations; one conversation per (user, assessment).</param>
/// <param name="ETag">Concurrency token of the stored version; null before the first write.</param>
public sealed record Conversation(
    string Id,
    string UserId,
    string Title,
    ConversationStatus Status,
    string ContextType,
    JsonElement? ContextData,
    string? ContextSummary,
    string? AssessmentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount,
    string? ETag = null);

/// <summary>A numbered source the answer cites as [n].</summary>
public sealed record Citation(int Number, string ChunkId, string DocumentId, string Title, string SourcePath, int? Page, string? Heading, string Snippet);

/// <summary>Token usage of one model call.</summary>
public sealed record TokenUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>A user's rating of an assistant message.</summary>
public sealed record MessageFeedback(string Rating, string? Comment, DateTimeOffset SubmittedAt);

/// <summary>What produced an assistant message and how.</summary>
/// <param name="Type">Message kind, e.g. <c>answer</c> or <c>assessment_welcome</c>.</param>
/// <param name="Model">Which model of the fallback chain answered (or <c>extractive</c>, <c>template</c>).</param>
/// <param name="Diagnostics">Retrieval diagnostics and similar, free-form.</param>
public sealed record MessageMetadata(
    string? Type = null,
    string? Model = null,
    TokenUsage? Usage = null,
    double? LatencyMs = null,
    IReadOnlyDictionary<string, JsonElement>? Diagnostics = null);

/// <summary>One message of a conversation.</summary>
/// <param name="ParentMessageId">For an assistant message: the user message it answers (regenerations are siblings).</param>
/// <param name="Incomplete">True when generation stopped early (client disconnected, model failed mid-stream).</param>
public sealed record ConversationMessage(
    string Id,
    string ConversationId,
    string UserId,
    MessageRole Role,
    string Content,
    DateTimeOffset CreatedAt,
    string? ParentMessageId = null,
    bool Incomplete = false,
    IReadOnlyList<Citation>? Citations = null,
    IReadOnlyList<string>? FollowupQuestions = null,
    MessageMetadata? Metadata = null,
    MessageFeedback? Feedback = null,
    string? ETag = null,
    MessageTriage? Triage = null);

/// <summary>Support triage of a user message: what it is, how it sounds and whether a person should look at it.</summary>
/// <param name="Intent">One of the configured intents (<c>RagFunctions:Chat:Triage:Intents</c>), e.g. <c>question</c>, <c>complaint</c>.</param>
/// <param name="Sentiment">From -1 (very negative) to 1 (very positive).</param>
/// <param name="Escalate">Negative sentiment, an explicit request for a person, or repeated "not found" answers in the conversation.</param>
/// <param name="Reasons">Why it escalates (empty when it does not).</param>
/// <param name="Classifier"><c>rules</c>, or the model that classified it.</param>
public sealed record MessageTriage(string Intent, double Sentiment, bool Escalate, IReadOnlyList<string> Reasons, string Classifier);

/// <summary>A user message that escalates, with where to find it, for support staff.</summary>
public sealed record EscalatedMessage(string UserId, string ConversationId, string MessageId, string Content, DateTimeOffset CreatedAt, MessageTriage Triage);

/// <summary>Usage of one assistant message, for usage summaries.</summary>
public sealed record UsageRecord(string ConversationId, string MessageId, string? Model, int PromptTokens, int CompletionTokens, DateTimeOffset CreatedAt);
