using RagFunctions.Core.Common;
using RagFunctions.Core.History;

namespace RagFunctions.Tests.Fakes.Assessment;

/// <summary>Test double honouring the <see cref="IConversationStore"/> docs: per-user partitions, atomic create-if-not-exists,
/// ETag-checked updates, atomic append (a duplicate message id is rejected, as a primary key would). <see cref="Fault"/> injects failures.</summary>
internal sealed class InMemoryConversationStore : IConversationStore
{
    private readonly object _gate = new();
    private readonly Dictionary<(string User, string Id), Conversation> _conversations = [];
    private readonly Dictionary<(string User, string Conversation), List<ConversationMessage>> _messages = [];
    private int _etag;

    /// <summary>Called with the method name before every operation; a non-null exception is thrown.</summary>
    public Func<string, Exception?>? Fault { get; set; }

    public int CreateCalls;

    public IReadOnlyList<Conversation> AllConversations()
    {
        lock (_gate)
        {
            return [.. _conversations.Values];
        }
    }

    public IReadOnlyList<ConversationMessage> MessagesOf(string userId, string conversationId)
    {
        lock (_gate)
        {
            return _messages.TryGetValue((userId, conversationId), out var list) ? [.. list] : [];
        }
    }

    /// <summary>Simulates the user deleting a conversation.</summary>
    public void MarkDeleted(string userId, string conversationId)
    {
        lock (_gate)
        {
            var c = _conversations[(userId, conversationId)];
            _conversations[(userId, conversationId)] = c with { Status = ConversationStatus.Deleted, ETag = NextETag() };
        }
    }

    public async Task<Conversation?> GetConversationAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetConversationAsync));
        lock (_gate)
        {
            return _conversations.TryGetValue((userId, conversationId), out var c) && c.Status != ConversationStatus.Deleted ? c : null;
        }
    }

    public async Task<(Conversation Conversation, bool Created)> CreateIfNotExistsAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(CreateIfNotExistsAsync));
        Interlocked.Increment(ref CreateCalls);
        lock (_gate)
        {
            if (_conversations.TryGetValue((conversation.UserId, conversation.Id), out var existing))
            {
                return (existing, false);
            }

            var stored = conversation with { ETag = NextETag() };
            _conversations[(conversation.UserId, conversation.Id)] = stored;
            _messages[(conversation.UserId, conversation.Id)] = [];
            return (stored, true);
        }
    }

    public async Task<Conversation> UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(UpdateConversationAsync));
        lock (_gate)
        {
            if (!_conversations.TryGetValue((conversation.UserId, conversation.Id), out var existing) || existing.Status == ConversationStatus.Deleted)
            {
                throw new NotFoundProblemException("conversation not found");
            }

            if (conversation.ETag is not null && conversation.ETag != existing.ETag)
            {
                throw new ConcurrencyProblemException("etag mismatch");
            }

            var stored = conversation with { ETag = NextETag() };
            _conversations[(conversation.UserId, conversation.Id)] = stored;
            return stored;
        }
    }

    public async Task<Conversation> ChangeConversationAsync(string userId, string conversationId, Func<Conversation, Conversation> change, string? ifMatch, CancellationToken cancellationToken)
    {
        while (true)
        {
            var current = await GetConversationAsync(userId, conversationId, cancellationToken) ?? throw new NotFoundProblemException("no such conversation");
            if (ifMatch is not null && !ETags.Matches(ifMatch, current.ETag))
            {
                throw new ConcurrencyProblemException("etag mismatch");
            }

            try
            {
                return await UpdateConversationAsync(change(current) with { MessageCount = current.MessageCount, ETag = current.ETag }, cancellationToken);
            }
            catch (ConcurrencyProblemException) when (ifMatch is null)
            {
            }
        }
    }

    public async Task<Page<Conversation>> ListConversationsAsync(string userId, ConversationStatus? status, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListConversationsAsync));
        lock (_gate)
        {
            var all = _conversations.Values
                .Where(c => c.UserId == userId && c.Status != ConversationStatus.Deleted && (status is null || c.Status == status))
                .OrderByDescending(c => c.UpdatedAt).ThenBy(c => c.Id, StringComparer.Ordinal)
                .ToList();
            var offset = continuationToken is null ? 0 : int.Parse(continuationToken, System.Globalization.CultureInfo.InvariantCulture);
            var page = all.Skip(offset).Take(limit).ToList();
            var next = offset + page.Count < all.Count ? (offset + page.Count).ToString(System.Globalization.CultureInfo.InvariantCulture) : null;
            return new Page<Conversation>(page, next);
        }
    }

    public async Task<Conversation> AppendMessagesAsync(string userId, string conversationId, IReadOnlyList<ConversationMessage> messages, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(AppendMessagesAsync));
        lock (_gate)
        {
            if (!_conversations.TryGetValue((userId, conversationId), out var existing) || existing.Status == ConversationStatus.Deleted)
            {
                throw new NotFoundProblemException("conversation not found");
            }

            var list = _messages[(userId, conversationId)];
            if (messages.Any(m => list.Any(x => x.Id == m.Id)))
            {
                throw new InvalidOperationException("duplicate message id (primary key violation)");
            }

            list.AddRange(messages.Select(m => m with { ETag = NextETag() }));
            var stored = existing with { MessageCount = existing.MessageCount + messages.Count, UpdatedAt = updatedAt, ETag = NextETag() };
            _conversations[(userId, conversationId)] = stored;
            return stored;
        }
    }

    public async Task<ConversationMessage> UpdateMessageAsync(ConversationMessage message, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(UpdateMessageAsync));
        lock (_gate)
        {
            var list = _messages[(message.UserId, message.ConversationId)];
            var index = list.FindIndex(m => m.Id == message.Id);
            if (index < 0)
            {
                throw new NotFoundProblemException("message not found");
            }

            list[index] = message with { ETag = NextETag() };
            return list[index];
        }
    }

    public async Task<ConversationMessage?> GetMessageAsync(string userId, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(GetMessageAsync));
        lock (_gate)
        {
            return _messages.TryGetValue((userId, conversationId), out var list) ? list.FirstOrDefault(m => m.Id == messageId) : null;
        }
    }

    public async Task<Page<ConversationMessage>> ListMessagesAsync(string userId, string conversationId, int limit, string? beforeMessageId, CancellationToken cancellationToken)
    {
        await EnterAsync(nameof(ListMessagesAsync));
        lock (_gate)
        {
            var list = _messages.TryGetValue((userId, conversationId), out var l) ? l : [];
            var end = beforeMessageId is null ? list.Count : list.FindIndex(m => m.Id == beforeMessageId);
            var start = Math.Max(0, end - limit);
            return new Page<ConversationMessage>([.. list.Skip(start).Take(end - start)], start > 0 ? list[start].Id : null);
        }
    }

    public Task<IReadOnlyList<UsageRecord>> ListUsageAsync(string userId, DateTimeOffset since, string? conversationId, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<UsageRecord>>([]);

    public Task<IReadOnlyList<EscalatedMessage>> ListEscalationsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<EscalatedMessage>>([]);

    private async Task EnterAsync(string method)
    {
        // Yield so concurrent callers really interleave between awaits.
        await Task.Yield();
        if (Fault?.Invoke(method) is { } fault)
        {
            throw fault;
        }
    }

    private string NextETag() => $"\"{Interlocked.Increment(ref _etag)}\"";
}
