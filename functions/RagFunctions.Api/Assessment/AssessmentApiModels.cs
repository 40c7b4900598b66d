using RagFunctions.Core.Assessment;
using RagFunctions.Core.History;

namespace RagFunctions.Api.Assessment;

/// <summary><c>GET /api/chat/assessment/{assessmentId}/conversation</c>.</summary>
public sealed record AssessmentConversationResponse(bool Exists, Conversation? Conversation, IReadOnlyList<ConversationMessage>? Messages);

/// <summary>Initialize / from-assessment result. <paramref name="Created"/> is false when an earlier call or event already created it.</summary>
public sealed record AssessmentConversationCreatedResponse(bool Created, Conversation Conversation, ConversationMessage? InitialMessage, IReadOnlyList<string> Suggestions);

/// <summary><c>GET /api/chat/conversations/{id}/suggestions</c>.</summary>
public sealed record ConversationSuggestionsResponse(string ConversationId, string ContextType, IReadOnlyList<string> Suggestions);

/// <summary><c>GET /api/chat/assessment-ready</c>: the caller's latest assessment and its conversation.</summary>
public sealed record AssessmentReadyResponse(bool HasAssessment, string? AssessmentId, DateTimeOffset? AssessmentDate, bool ConversationExists, string? ConversationId);

/// <summary><c>GET /api/chat/notifications?since=</c>; poll again with <c>since=latest</c>.</summary>
public sealed record NotificationsResponse(IReadOnlyList<ChatbotReadyNotification> Items, DateTimeOffset? Latest);
