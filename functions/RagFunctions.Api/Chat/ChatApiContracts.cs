using System.Text.Json;
using RagFunctions.Core.History;

namespace RagFunctions.Api.Chat;

/// <summary>POST /api/chat/conversations.</summary>
/// <param name="ContextType">general (default), assessment or career_guidance.</param>
/// <param name="ContextData">Free-form JSON object kept with the conversation; a string member <c>summary</c> becomes the always-kept context summary.</param>
public sealed record CreateConversationRequest(string? Title = null, string? ContextType = null, JsonElement? ContextData = null);

/// <summary>PATCH /api/chat/conversations/{id}: at least one field.</summary>
public sealed record UpdateConversationRequest(string? Title = null, string? Status = null);

/// <summary>POST /api/chat/conversations/{id}/messages.</summary>
public sealed record SendMessageRequest(string? Content = null, string? ParentMessageId = null);

/// <summary>POST …/messages/{messageId}/feedback.</summary>
public sealed record FeedbackRequest(string? Rating = null, string? Comment = null);

public sealed record ConversationDto(
    string Id,
    string Title,
    ConversationStatus Status,
    string ContextType,
    JsonElement? ContextData,
    string? ContextSummary,
    string? AssessmentId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    int MessageCount)
{
    public static ConversationDto From(Conversation c) =>
        new(c.Id, c.Title, c.Status, c.ContextType, c.ContextData, c.ContextSummary, c.AssessmentId, c.CreatedAt, c.UpdatedAt, c.MessageCount);
}

public sealed record MessageDto(
    string Id,
    string ConversationId,
    MessageRole Role,
    string Content,
    DateTimeOffset CreatedAt,
    string? ParentMessageId,
    bool Incomplete,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> FollowupQuestions,
    MessageMetadata? Metadata,
    MessageFeedback? Feedback,
    MessageTriage? Triage = null)
{
    public static MessageDto From(ConversationMessage m) =>
        new(m.Id, m.ConversationId, m.Role, m.Content, m.CreatedAt, m.ParentMessageId, m.Incomplete, m.Citations ?? [], m.FollowupQuestions ?? [], m.Metadata, m.Feedback, m.Triage);
}

public sealed record ConversationListResponse(IReadOnlyList<ConversationDto> Conversations, string? ContinuationToken);

/// <summary>GET conversation: the conversation and its latest page of messages as the user sees the thread (newest regeneration only).</summary>
public sealed record ConversationResponse(ConversationDto Conversation, IReadOnlyList<MessageDto> Messages, string? ContinuationToken);

/// <summary>A page of messages, chronological; pass <see cref="ContinuationToken"/> as <c>before</c> for older ones.</summary>
public sealed record MessagePageResponse(IReadOnlyList<MessageDto> Messages, string? ContinuationToken);

public sealed record TurnResponse(
    MessageDto UserMessage,
    MessageDto AssistantMessage,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> FollowupQuestions,
    UsageDto Usage);

public sealed record UsageDto(int PromptTokens, int CompletionTokens, int TotalTokens, string Model, double LatencyMs);

public sealed record ModelUsageDto(string Model, int PromptTokens, int CompletionTokens, int TotalTokens, int Messages);

/// <summary>Where the caller stands against one per-user limit (<c>RagFunctions:Limits:*</c>); sliding window of <see cref="WindowSeconds"/>.</summary>
/// <param name="ResetSeconds">When exhausted: seconds until one more fits; otherwise until the oldest counted use leaves the window.</param>
public sealed record UsageLimitDto(string Name, long Quota, long Used, long Remaining, int WindowSeconds, int ResetSeconds, string Setting);

/// <summary>Token usage of the caller's assistant messages; <see cref="MessageCount"/> counts all messages of the conversation (per-conversation usage only).</summary>
public sealed record UsageSummaryResponse(
    string? Period,
    DateTimeOffset? Since,
    string? ConversationId,
    int PromptTokens,
    int CompletionTokens,
    int TotalTokens,
    int AssistantMessages,
    int? MessageCount,
    IReadOnlyList<ModelUsageDto> Models,
    IReadOnlyList<UsageLimitDto>? Limits = null);

/// <summary><c>GET …/export?format=json</c>: the whole visible thread.</summary>
public sealed record ConversationExportJson(ConversationDto Conversation, IReadOnlyList<MessageDto> Messages);

/// <summary>GET /api/chat/escalations: escalated user messages since <see cref="Since"/>, newest first.</summary>
public sealed record EscalationsResponse(DateTimeOffset Since, IReadOnlyList<EscalatedMessage> Escalations);
