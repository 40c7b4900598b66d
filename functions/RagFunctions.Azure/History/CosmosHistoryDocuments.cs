using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using RagFunctions.Core.History;

namespace RagFunctions.Azure.History;

/// <summary>Document types stored in the history container; <see cref="ConversationDocument.Type"/> discriminates them.</summary>
internal static class CosmosHistoryDocuments
{
    public const string ConversationType = "conversation";
    public const string MessageType = "message";

    /// <summary>Fixed-width UTC timestamps: string comparison and ORDER BY then agree with time order.</summary>
    private const string TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    /// <summary>Message documents share the partition with conversations; the prefix keeps their ids from ever colliding.</summary>
    public static string MessageDocumentId(string conversationId, string messageId) => $"message:{conversationId}:{messageId}";

    /// <summary>Prefix of <c>chatbot_ready</c> notification items (<see cref="Assessment.CosmosNotificationStore"/>), which share the user's partition.</summary>
    public const string NotificationIdPrefix = "notification:";

    /// <summary>Prefix of usage-ledger items (<see cref="Limits.CosmosUsageLedger"/>), which share the user's partition.</summary>
    public const string UsageIdPrefix = "usage:";

    /// <summary>Ids that belong to non-conversation items of the partition, so no conversation may use them.</summary>
    public static bool IsReservedId(string id) =>
        id.StartsWith("message:", StringComparison.Ordinal) || id.StartsWith(NotificationIdPrefix, StringComparison.Ordinal)
        || id.StartsWith(UsageIdPrefix, StringComparison.Ordinal);

    public static string FormatTimestamp(DateTimeOffset value) => value.UtcDateTime.ToString(TimestampFormat, CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTimestamp(string value) =>
        DateTimeOffset.ParseExact(value, TimestampFormat, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static ConversationDocument ToDocument(Conversation conversation, int? ttl) => new()
    {
        Id = conversation.Id,
        UserId = conversation.UserId,
        Title = conversation.Title,
        Status = conversation.Status,
        ContextType = conversation.ContextType,
        ContextData = conversation.ContextData,
        ContextSummary = conversation.ContextSummary,
        AssessmentId = conversation.AssessmentId,
        CreatedAt = FormatTimestamp(conversation.CreatedAt),
        UpdatedAt = FormatTimestamp(conversation.UpdatedAt),
        MessageCount = conversation.MessageCount,
        Ttl = ttl,
    };

    public static Conversation ToConversation(ConversationDocument document, string? etag = null) => new(
        document.Id,
        document.UserId,
        document.Title,
        document.Status,
        document.ContextType,
        document.ContextData,
        document.ContextSummary,
        document.AssessmentId,
        ParseTimestamp(document.CreatedAt),
        ParseTimestamp(document.UpdatedAt),
        document.MessageCount,
        etag ?? document.ETag);

    public static MessageDocument ToDocument(ConversationMessage message, long seq, int? ttl) => new()
    {
        Id = MessageDocumentId(message.ConversationId, message.Id),
        UserId = message.UserId,
        ConversationId = message.ConversationId,
        MessageId = message.Id,
        Seq = seq,
        CreatedAt = FormatTimestamp(message.CreatedAt),
        HasUsage = message.Metadata?.Usage is not null,
        Message = message with { ETag = null },
        Ttl = ttl,
    };

    public static ConversationMessage ToMessage(MessageDocument document, string? etag = null) =>
        document.Message with { ETag = etag ?? document.ETag };
}

internal sealed class ConversationDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = CosmosHistoryDocuments.ConversationType;
    public string Title { get; init; } = "";
    public ConversationStatus Status { get; init; }
    public string ContextType { get; init; } = ContextTypes.General;
    public JsonElement? ContextData { get; init; }
    public string? ContextSummary { get; init; }
    public string? AssessmentId { get; init; }
    public required string CreatedAt { get; init; }
    public required string UpdatedAt { get; init; }
    public int MessageCount { get; init; }

    /// <summary>Seconds until expiry, set only on soft-deleted conversations.</summary>
    public int? Ttl { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

internal sealed class MessageDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = CosmosHistoryDocuments.MessageType;
    public required string ConversationId { get; init; }
    public required string MessageId { get; init; }

    /// <summary>Position in the conversation (0-based), reserved by the ETag-checked conversation update.</summary>
    public long Seq { get; init; }

    public required string CreatedAt { get; init; }
    public bool HasUsage { get; init; }
    public required ConversationMessage Message { get; init; }
    public int? Ttl { get; init; }

    [JsonPropertyName("_etag")]
    public string? ETag { get; init; }
}

internal sealed record DocumentId(string Id);
