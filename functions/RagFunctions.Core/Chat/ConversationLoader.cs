using RagFunctions.Core.Common;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Chat;

/// <summary>Step 1 of a turn: the caller's conversation, or a problem. Ownership is enforced by the store (every read is by user id),
/// so another user's conversation is simply not found.</summary>
public sealed class ConversationLoader(IConversationStore store)
{
    public async Task<Conversation> LoadAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var conversation = await store.GetConversationAsync(userId, conversationId, cancellationToken).ConfigureAwait(false);
        if (conversation is null)
        {
            throw new NotFoundProblemException($"Conversation '{conversationId}' was not found.");
        }

        return conversation;
    }

    /// <summary>The conversation when messages may be added to it; archived or deleted → 409.</summary>
    public async Task<Conversation> LoadWritableAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var conversation = await LoadAsync(userId, conversationId, cancellationToken).ConfigureAwait(false);
        return conversation.Status switch
        {
            ConversationStatus.Active => conversation,
            ConversationStatus.Archived => throw new ConflictProblemException(
                $"Conversation '{conversationId}' is archived; set its status to active before adding messages."),
            _ => throw new ConflictProblemException($"Conversation '{conversationId}' is deleted."),
        };
    }
}
