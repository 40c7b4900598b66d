using RagFunctions.Core.Common;

namespace RagFunctions.Core.History;

/// <summary>Conversations and messages, always addressed by the owning user id: nothing reads another user's partition.
/// Cosmos DB on Azure (one container, partition key <c>/userId</c>), SQLite locally.</summary>
public interface IConversationStore
{
    /// <summary>The conversation, or null when it does not exist for this user (including when it is deleted).</summary>
    Task<Conversation?> GetConversationAsync(string userId, string conversationId, CancellationToken cancellationToken);

    /// <summary>Creates the conversation unless one with the same id exists for the user. Returns the stored one and whether this call created it
    /// (create-if-not-exists: two concurrent calls with the same id create exactly one).</summary>
    Task<(Conversation Conversation, bool Created)> CreateIfNotExistsAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Replaces the conversation if <see cref="Conversation.ETag"/> still matches; throws <see cref="ConcurrencyProblemException"/> otherwise.</summary>
    Task<Conversation> UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken);

    /// <summary>Applies <paramref name="change"/> (rename, archive, soft delete) to the stored conversation. With <paramref name="ifMatch"/> the stored
    /// ETag must equal it (compared by <see cref="ETags.Matches"/>), else <see cref="ConcurrencyProblemException"/>; without it the change is applied
    /// to whatever version is current when the write lands (re-read and re-applied on a lost race), so a caller that stated no precondition is
    /// never refused because turns were appending meanwhile. Message count and creation time stay the store's. Missing or deleted → not found.</summary>
    Task<Conversation> ChangeConversationAsync(string userId, string conversationId, Func<Conversation, Conversation> change, string? ifMatch, CancellationToken cancellationToken);

    /// <summary>The user's conversations, newest-updated first, excluding deleted ones. <paramref name="status"/> null means active and archived.</summary>
    Task<Page<Conversation>> ListConversationsAsync(string userId, ConversationStatus? status, int limit, string? continuationToken, CancellationToken cancellationToken);

    /// <summary>Appends messages and bumps the conversation's <c>UpdatedAt</c>/<c>MessageCount</c> in one atomic write. Returns the updated conversation.</summary>
    Task<Conversation> AppendMessagesAsync(string userId, string conversationId, IReadOnlyList<ConversationMessage> messages, DateTimeOffset updatedAt, CancellationToken cancellationToken);

    /// <summary>Replaces one message (feedback, completion flag); ETag-checked when the message carries one.</summary>
    Task<ConversationMessage> UpdateMessageAsync(ConversationMessage message, CancellationToken cancellationToken);

    Task<ConversationMessage?> GetMessageAsync(string userId, string conversationId, string messageId, CancellationToken cancellationToken);

    /// <summary>A page of messages in chronological order: the newest <paramref name="limit"/> messages older than <paramref name="beforeMessageId"/> (or the newest overall).
    /// The continuation token is the id of the oldest message returned when older ones exist.</summary>
    Task<Page<ConversationMessage>> ListMessagesAsync(string userId, string conversationId, int limit, string? beforeMessageId, CancellationToken cancellationToken);

    /// <summary>Usage of the user's assistant messages created at or after <paramref name="since"/> (optionally one conversation), for usage summaries.</summary>
    Task<IReadOnlyList<UsageRecord>> ListUsageAsync(string userId, DateTimeOffset since, string? conversationId, CancellationToken cancellationToken);

    /// <summary>User messages of every user whose triage says escalate, created at or after <paramref name="since"/>, newest first, at most
    /// <paramref name="limit"/>. Not scoped to one user: only support staff reach it (the Api checks the role). Messages of deleted
    /// conversations are left out.</summary>
    Task<IReadOnlyList<EscalatedMessage>> ListEscalationsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken);
}
