using System.Globalization;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;

namespace RagFunctions.Tests.Fakes.Chat;

/// <summary>An in-memory <see cref="IConversationStore"/> that follows the interface docs (per-user addressing, ETags, soft delete, paging).</summary>
public sealed class InMemoryConversationStore : IConversationStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string User, string Id), Conversation> _conversations = [];
    private readonly List<ConversationMessage> _messages = [];
    private long _etag;

    /// <summary>Number of successful writes, to prove a rejected request wrote nothing.</summary>
    public int Writes { get; private set; }

    public IReadOnlyList<ConversationMessage> Messages(string conversationId)
    {
        lock (_gate)
        {
            return [.. _messages.Where(m => m.ConversationId == conversationId)];
        }
    }

    public Conversation? Raw(string userId, string id)
    {
        lock (_gate)
        {
            return _conversations.GetValueOrDefault((userId, id));
        }
    }

    public Task<Conversation?> GetConversationAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_conversations.TryGetValue((userId, conversationId), out var c) && c.Status != ConversationStatus.Deleted ? c : null);
        }
    }

    public Task<(Conversation Conversation, bool Created)> CreateIfNotExistsAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_conversations.TryGetValue((conversation.UserId, conversation.Id), out var existing))
            {
                return Task.FromResult((existing, false));
            }

            var stored = conversation with { ETag = NextETag() };
            _conversations[(conversation.UserId, conversation.Id)] = stored;
            Writes++;
            return Task.FromResult((stored, true));
        }
    }

    public Task<Conversation> UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!_conversations.TryGetValue((conversation.UserId, conversation.Id), out var existing))
            {
                throw new NotFoundProblemException("no such conversation");
            }

            if (existing.ETag != conversation.ETag)
            {
                throw new ConcurrencyProblemException("etag mismatch");
            }

            var stored = conversation with { ETag = NextETag() };
            _conversations[(conversation.UserId, conversation.Id)] = stored;
            Writes++;
            return Task.FromResult(stored);
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

    public Task<Page<Conversation>> ListConversationsAsync(string userId, ConversationStatus? status, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var offset = continuationToken is null ? 0 : int.Parse(continuationToken, CultureInfo.InvariantCulture);
            var all = _conversations.Values
                .Where(c => c.UserId == userId && c.Status != ConversationStatus.Deleted && (status is null || c.Status == status))
                .OrderByDescending(c => c.UpdatedAt).ThenByDescending(c => c.Id, StringComparer.Ordinal)
                .ToList();
            var items = all.Skip(offset).Take(limit).ToList();
            var next = offset + items.Count < all.Count ? (offset + items.Count).ToString(CultureInfo.InvariantCulture) : null;
            return Task.FromResult(new Page<Conversation>(items, next));
        }
    }

    public Task<Conversation> AppendMessagesAsync(string userId, string conversationId, IReadOnlyList<ConversationMessage> messages, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_conversations.TryGetValue((userId, conversationId), out var c) || c.Status == ConversationStatus.Deleted)
            {
                throw new NotFoundProblemException("no such conversation");
            }

            _messages.AddRange(messages.Select(m => m with { ETag = NextETag() }));
            var stored = c with { UpdatedAt = updatedAt, MessageCount = c.MessageCount + messages.Count, ETag = NextETag() };
            _conversations[(userId, conversationId)] = stored;
            Writes++;
            return Task.FromResult(stored);
        }
    }

    public Task<ConversationMessage> UpdateMessageAsync(ConversationMessage message, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var index = _messages.FindIndex(m => m.UserId == message.UserId && m.ConversationId == message.ConversationId && m.Id == message.Id);
            if (index < 0)
            {
                throw new NotFoundProblemException("no such message");
            }

            if (message.ETag is not null && message.ETag != _messages[index].ETag)
            {
                throw new ConcurrencyProblemException("etag mismatch");
            }

            _messages[index] = message with { ETag = NextETag() };
            Writes++;
            return Task.FromResult(_messages[index]);
        }
    }

    public Task<ConversationMessage?> GetMessageAsync(string userId, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_messages.FirstOrDefault(m => m.UserId == userId && m.ConversationId == conversationId && m.Id == messageId));
        }
    }

    public Task<Page<ConversationMessage>> ListMessagesAsync(string userId, string conversationId, int limit, string? beforeMessageId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            var all = _messages.Where(m => m.UserId == userId && m.ConversationId == conversationId).ToList();
            var end = beforeMessageId is null ? all.Count : all.FindIndex(m => m.Id == beforeMessageId);
            if (end < 0)
            {
                end = 0;
            }

            var start = Math.Max(0, end - limit);
            var items = all.GetRange(start, end - start);
            return Task.FromResult(new Page<ConversationMessage>(items, start > 0 ? items[0].Id : null));
        }
    }

    public Task<IReadOnlyList<UsageRecord>> ListUsageAsync(string userId, DateTimeOffset since, string? conversationId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<UsageRecord> records = [.. _messages
                .Where(m => m.UserId == userId && m.Role == MessageRole.Assistant && m.CreatedAt >= since && (conversationId is null || m.ConversationId == conversationId))
                .Where(m => m.Metadata?.Usage is not null)
                .Select(m => new UsageRecord(m.ConversationId, m.Id, m.Metadata!.Model, m.Metadata.Usage!.PromptTokens, m.Metadata.Usage.CompletionTokens, m.CreatedAt))];
            return Task.FromResult(records);
        }
    }

    public Task<IReadOnlyList<EscalatedMessage>> ListEscalationsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            IReadOnlyList<EscalatedMessage> escalations = [.. _messages
                .Where(m => m.Triage is { Escalate: true } && m.CreatedAt >= since)
                .OrderByDescending(m => m.CreatedAt)
                .Take(limit)
                .Select(m => new EscalatedMessage(m.UserId, m.ConversationId, m.Id, m.Content, m.CreatedAt, m.Triage!))];
            return Task.FromResult(escalations);
        }
    }

    private string NextETag() => $"\"{++_etag}\"";
}
