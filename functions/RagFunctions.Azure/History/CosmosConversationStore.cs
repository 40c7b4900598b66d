using System.Buffers.Text;
using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using static RagFunctions.Azure.History.CosmosHistoryDocuments;

namespace RagFunctions.Azure.History;

/// <summary>Conversation history on Cosmos DB: one container partitioned by <c>/userId</c>, conversation and message documents
/// told apart by <c>type</c>. Every operation is single-partition; writes are ETag-checked; a soft delete sets a per-item TTL.</summary>
public sealed partial class CosmosConversationStore : IConversationStore
{
    /// <summary>Largest page the store returns; bigger requests are clamped.</summary>
    public const int MaxPageSize = 100;

    private const int MaxAppendAttempts = 10;

    /// <summary>Attempts of a rename/delete without If-Match; more than appends get, since the client asked for no precondition and a busy
    /// conversation (turns appending) is exactly when it must still land. Full-jitter exponential back-off spreads the contenders.</summary>
    private const int MaxChangeAttempts = 30;

    private readonly CosmosHistoryContainer _containers;
    private readonly CosmosOptions _options;
    private readonly IOptions<HistoryOptions> _history;
    private readonly ILogger<CosmosConversationStore> _logger;

    public CosmosConversationStore(
        CosmosHistoryContainer containers,
        IOptions<CosmosOptions> options,
        IOptions<HistoryOptions> history,
        ILogger<CosmosConversationStore>? logger = null)
    {
        _containers = containers;
        _options = options.Value;
        _history = history;
        _logger = logger ?? NullLogger<CosmosConversationStore>.Instance;
    }

    /// <summary>Seconds a soft-deleted item lives on (Cosmos DB TTL must be positive).</summary>
    private int DeletedTtlSeconds => Math.Max(1, _history.Value.DeletedRetentionDays) * 86_400;

    public async Task<Conversation?> GetConversationAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        var container = await _containers.GetContainerAsync(cancellationToken);
        var document = await ReadConversationDocumentAsync(container, userId, conversationId, cancellationToken);
        return document is { Status: not ConversationStatus.Deleted } ? ToConversation(document) : null;
    }

    public async Task<(Conversation Conversation, bool Created)> CreateIfNotExistsAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (IsReservedId(conversation.Id))
        {
            throw new ValidationProblemException("id", "A conversation id must not start with 'message:', 'notification:' or 'usage:'.");
        }

        var container = await _containers.GetContainerAsync(cancellationToken);
        var document = ToDocument(conversation with { MessageCount = 0 }, conversation.Status == ConversationStatus.Deleted ? DeletedTtlSeconds : null);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var created = await Translate(() => container.CreateItemAsync(document, new PartitionKey(conversation.UserId), cancellationToken: cancellationToken));
                return (ToConversation(created.Resource, created.ETag), true);
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                // The id exists for this user: whoever created it first wins, this call reports the stored one.
                var existing = await ReadConversationDocumentAsync(container, conversation.UserId, conversation.Id, cancellationToken);
                if (existing is not null)
                {
                    return (ToConversation(existing), false);
                }

                // It expired between the two calls; try once more.
                if (attempt >= 2)
                {
                    throw;
                }
            }
        }
    }

    public async Task<Conversation> UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var container = await _containers.GetContainerAsync(cancellationToken);
        var current = await ReadConversationDocumentAsync(container, conversation.UserId, conversation.Id, cancellationToken);
        if (current is null || current.Status == ConversationStatus.Deleted)
        {
            throw new NotFoundProblemException($"Conversation '{conversation.Id}' was not found.");
        }

        if (conversation.ETag is not null && conversation.ETag != current.ETag)
        {
            throw Stale(conversation.Id);
        }

        var deleting = conversation.Status == ConversationStatus.Deleted;
        // Message count and creation time belong to the store: a caller cannot rewind them.
        var document = ToDocument(
            conversation with { MessageCount = current.MessageCount, CreatedAt = ParseTimestamp(current.CreatedAt) },
            deleting ? DeletedTtlSeconds : null);
        ItemResponse<ConversationDocument> response;
        try
        {
            response = await Translate(() => container.ReplaceItemAsync(
                document, conversation.Id, new PartitionKey(conversation.UserId), new ItemRequestOptions { IfMatchEtag = current.ETag }, cancellationToken));
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.PreconditionFailed)
        {
            throw Stale(conversation.Id);
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.NotFound)
        {
            throw new NotFoundProblemException($"Conversation '{conversation.Id}' was not found.");
        }

        if (deleting)
        {
            await ExpireMessagesAsync(container, conversation.UserId, conversation.Id, cancellationToken);
        }

        return ToConversation(response.Resource, response.ETag);
    }

    public async Task<Conversation> ChangeConversationAsync(string userId, string conversationId, Func<Conversation, Conversation> change, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        // Optimistic loop: read, apply, replace if the ETag is unchanged. With the client's If-Match a lost race is the client's 412;
        // without one the change is re-applied to the newer version (turns append concurrently), with a short jittered back-off.
        for (var attempt = 1; ; attempt++)
        {
            var current = await GetConversationAsync(userId, conversationId, cancellationToken)
                ?? throw new NotFoundProblemException($"Conversation '{conversationId}' was not found.");
            if (ifMatch is not null && !ETags.Matches(ifMatch, current.ETag))
            {
                throw Stale(conversationId);
            }

            try
            {
                return await UpdateConversationAsync(change(current) with { UserId = userId, Id = conversationId, ETag = current.ETag }, cancellationToken);
            }
            catch (ConcurrencyProblemException) when (ifMatch is null && attempt < MaxChangeAttempts)
            {
                LogChangeRetry(conversationId, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 10 << Math.Min(attempt, 5))), cancellationToken);
            }
        }
    }

    public async Task<Page<Conversation>> ListConversationsAsync(string userId, ConversationStatus? status, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (status == ConversationStatus.Deleted)
        {
            throw new ValidationProblemException("status", "Deleted conversations cannot be listed.");
        }

        var filter = status is null ? "any" : JsonSerializer.Serialize(status.Value, CosmosHistoryContainer.SerializerOptions).Trim('"');
        var sdkToken = continuationToken is null ? null : ListToken.Decode(continuationToken, filter);
        var take = Math.Clamp(limit, 1, MaxPageSize);
        var query = new QueryDefinition(
                "SELECT * FROM c WHERE c.userId = @userId AND c.type = @type AND "
                + (status is null ? "c.status != @deleted" : "c.status = @status")
                + " ORDER BY c.updatedAt DESC")
            .WithParameter("@userId", userId)
            .WithParameter("@type", ConversationType);
        // Only parameters the text uses are sent.
        query = status is null ? query.WithParameter("@deleted", "deleted") : query.WithParameter("@status", filter);

        var container = await _containers.GetContainerAsync(cancellationToken);
        var items = new List<Conversation>(take);
        try
        {
            // A service page may hold fewer items than asked for: keep reading (asking only for what is missing) until the page is full.
            do
            {
                using var iterator = container.GetItemQueryIterator<ConversationDocument>(query, sdkToken, new QueryRequestOptions
                {
                    PartitionKey = new PartitionKey(userId),
                    MaxItemCount = take - items.Count,
                });
                if (!iterator.HasMoreResults)
                {
                    sdkToken = null;
                    break;
                }

                var page = await Translate(() => iterator.ReadNextAsync(cancellationToken));
                items.AddRange(page.Select(d => ToConversation(d)));
                sdkToken = page.ContinuationToken;
            }
            while (sdkToken is not null && items.Count < take);
        }
        catch (CosmosException ex) when (continuationToken is not null && ex.StatusCode == HttpStatusCode.BadRequest)
        {
            throw ListToken.Invalid();
        }
        catch (Exception ex) when (continuationToken is not null && ex is ArgumentException or FormatException)
        {
            throw ListToken.Invalid();
        }

        return new Page<Conversation>(items, sdkToken is null ? null : ListToken.Encode(new ListToken(filter, sdkToken)));
    }

    public async Task<Conversation> AppendMessagesAsync(string userId, string conversationId, IReadOnlyList<ConversationMessage> messages, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var container = await _containers.GetContainerAsync(cancellationToken);
        var partitionKey = new PartitionKey(userId);
        for (var attempt = 1; ; attempt++)
        {
            var current = await ReadConversationDocumentAsync(container, userId, conversationId, cancellationToken);
            if (current is null || current.Status == ConversationStatus.Deleted)
            {
                throw new NotFoundProblemException($"Conversation '{conversationId}' was not found.");
            }

            var conversation = ToConversation(current);
            var updated = ToDocument(
                conversation with
                {
                    UpdatedAt = updatedAt > conversation.UpdatedAt ? updatedAt : conversation.UpdatedAt,
                    MessageCount = conversation.MessageCount + messages.Count,
                },
                null);
            // Sequence numbers continue from the stored count; the ETag-checked conversation write reserves them.
            var documents = messages
                .Select((m, i) => ToDocument(m with { UserId = userId, ConversationId = conversationId }, current.MessageCount + i, null))
                .ToList();

            var written = _options.UseTransactionalBatch
                ? await AppendInBatchAsync(container, partitionKey, current.ETag!, updated, documents, cancellationToken)
                : await AppendSequentiallyAsync(container, partitionKey, current.ETag!, updated, documents, cancellationToken);
            if (written is not null)
            {
                return written;
            }

            if (attempt >= MaxAppendAttempts)
            {
                throw Stale(conversationId);
            }

            LogAppendRetry(conversationId, attempt);
            await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * attempt), cancellationToken);
        }
    }

    public async Task<ConversationMessage> UpdateMessageAsync(ConversationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var container = await _containers.GetContainerAsync(cancellationToken);
        var current = await ReadMessageDocumentAsync(container, message.UserId, message.ConversationId, message.Id, cancellationToken)
            ?? throw new NotFoundProblemException($"Message '{message.Id}' was not found.");
        if (message.ETag is not null && message.ETag != current.ETag)
        {
            throw new ConcurrencyProblemException($"Message '{message.Id}' was changed by another request; reload it and retry.");
        }

        var document = ToDocument(message, current.Seq, current.Ttl);
        try
        {
            var response = await Translate(() => container.ReplaceItemAsync(
                document, document.Id, new PartitionKey(message.UserId), new ItemRequestOptions { IfMatchEtag = current.ETag }, cancellationToken));
            return ToMessage(response.Resource, response.ETag);
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            throw new ConcurrencyProblemException($"Message '{message.Id}' was changed by another request; reload it and retry.");
        }
    }

    public async Task<ConversationMessage?> GetMessageAsync(string userId, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        var container = await _containers.GetContainerAsync(cancellationToken);
        var document = await ReadMessageDocumentAsync(container, userId, conversationId, messageId, cancellationToken);
        return document is null ? null : ToMessage(document);
    }

    public async Task<Page<ConversationMessage>> ListMessagesAsync(string userId, string conversationId, int limit, string? beforeMessageId, CancellationToken cancellationToken)
    {
        var take = Math.Clamp(limit, 1, MaxPageSize);
        var container = await _containers.GetContainerAsync(cancellationToken);
        long? beforeSeq = null;
        if (beforeMessageId is not null)
        {
            var before = await ReadMessageDocumentAsync(container, userId, conversationId, beforeMessageId, cancellationToken)
                ?? throw new ValidationProblemException("before", $"Message '{beforeMessageId}' is not part of this conversation.");
            beforeSeq = before.Seq;
        }

        // TOP is a literal: an int we computed, not caller text.
        var query = new QueryDefinition(
                $"SELECT TOP {take + 1} * FROM c WHERE c.userId = @userId AND c.type = @type AND c.conversationId = @conversationId"
                + (beforeSeq is null ? "" : " AND c.seq < @before")
                + " ORDER BY c.seq DESC")
            .WithParameter("@userId", userId)
            .WithParameter("@type", MessageType)
            .WithParameter("@conversationId", conversationId);
        if (beforeSeq is not null)
        {
            query = query.WithParameter("@before", beforeSeq.Value);
        }

        var newestFirst = await QueryAllAsync<MessageDocument>(container, query, userId, take + 1, cancellationToken);
        var hasOlder = newestFirst.Count > take;
        var page = newestFirst.Take(take).Reverse().Select(d => ToMessage(d)).ToList();
        return new Page<ConversationMessage>(page, hasOlder ? page[0].Id : null);
    }

    public async Task<IReadOnlyList<UsageRecord>> ListUsageAsync(string userId, DateTimeOffset since, string? conversationId, CancellationToken cancellationToken)
    {
        var container = await _containers.GetContainerAsync(cancellationToken);
        var query = new QueryDefinition(
                "SELECT * FROM c WHERE c.userId = @userId AND c.type = @type AND c.hasUsage = true AND c.createdAt >= @since"
                + (conversationId is null ? "" : " AND c.conversationId = @conversationId"))
            .WithParameter("@userId", userId)
            .WithParameter("@type", MessageType)
            .WithParameter("@since", FormatTimestamp(since));
        if (conversationId is not null)
        {
            query = query.WithParameter("@conversationId", conversationId);
        }

        var documents = await QueryAllAsync<MessageDocument>(container, query, userId, MaxPageSize, cancellationToken);
        return documents
            .OrderBy(d => d.CreatedAt, StringComparer.Ordinal)
            .ThenBy(d => d.Seq)
            .Select(d =>
            {
                var usage = d.Message.Metadata!.Usage!;
                return new UsageRecord(d.ConversationId, d.MessageId, d.Message.Metadata.Model, usage.PromptTokens, usage.CompletionTokens, d.Message.CreatedAt);
            })
            .ToList();
    }

    public async Task<IReadOnlyList<EscalatedMessage>> ListEscalationsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        var container = await _containers.GetContainerAsync(cancellationToken);
        // Cross-partition on purpose: support staff read every user's escalations. Messages of soft-deleted conversations carry a TTL.
        var query = new QueryDefinition(
                "SELECT * FROM c WHERE c.type = @type AND c.message.triage.escalate = true AND c.createdAt >= @since AND NOT IS_DEFINED(c.ttl)")
            .WithParameter("@type", MessageType)
            .WithParameter("@since", FormatTimestamp(since));
        var results = new List<MessageDocument>();
        using var iterator = container.GetItemQueryIterator<MessageDocument>(query, requestOptions: new QueryRequestOptions { MaxItemCount = MaxPageSize });
        while (iterator.HasMoreResults)
        {
            results.AddRange(await Translate(() => iterator.ReadNextAsync(cancellationToken)));
        }

        return results
            .OrderByDescending(d => d.CreatedAt, StringComparer.Ordinal)
            .ThenByDescending(d => d.Seq)
            .Take(Math.Clamp(limit, 1, MaxPageSize))
            .Select(d => new EscalatedMessage(d.UserId, d.ConversationId, d.MessageId, d.Message.Content, d.Message.CreatedAt, d.Message.Triage!))
            .ToList();
    }

    /// <summary>One atomic batch: create every message, then replace the conversation if its ETag is unchanged. Null when the ETag moved.</summary>
    private static async Task<Conversation?> AppendInBatchAsync(Container container, PartitionKey partitionKey, string etag, ConversationDocument conversation, IReadOnlyList<MessageDocument> messages, CancellationToken cancellationToken)
    {
        var batch = container.CreateTransactionalBatch(partitionKey);
        foreach (var message in messages)
        {
            batch.CreateItem(message, new TransactionalBatchItemRequestOptions { EnableContentResponseOnWrite = false });
        }

        batch.ReplaceItem(conversation.Id, conversation, new TransactionalBatchItemRequestOptions { IfMatchEtag = etag });
        using var response = await Translate(() => batch.ExecuteAsync(cancellationToken));
        if (response.IsSuccessStatusCode)
        {
            var result = response.GetOperationResultAtIndex<ConversationDocument>(messages.Count);
            return ToConversation(result.Resource, result.ETag);
        }

        // The failing operation carries the real status; the others report 424 (failed dependency).
        var failed = response.FirstOrDefault(r => r.StatusCode != HttpStatusCode.FailedDependency)?.StatusCode ?? response.StatusCode;
        return failed switch
        {
            HttpStatusCode.PreconditionFailed => null,
            HttpStatusCode.Conflict => throw new ConflictProblemException($"A message being appended already exists in conversation '{conversation.Id}'."),
            HttpStatusCode.NotFound => throw new NotFoundProblemException($"Conversation '{conversation.Id}' was not found."),
            _ => throw new UpstreamUnavailableProblemException($"Cosmos DB rejected the message batch with status {(int)failed}: {response.ErrorMessage}"),
        };
    }

    /// <summary>Fallback for servers without TransactionalBatch (test servers): the ETag-checked conversation write first, which reserves
    /// the sequence numbers, then the messages. Not atomic: a failure in between leaves the count ahead of the stored messages.</summary>
    private static async Task<Conversation?> AppendSequentiallyAsync(Container container, PartitionKey partitionKey, string etag, ConversationDocument conversation, IReadOnlyList<MessageDocument> messages, CancellationToken cancellationToken)
    {
        ItemResponse<ConversationDocument> replaced;
        try
        {
            replaced = await Translate(() => container.ReplaceItemAsync(conversation, conversation.Id, partitionKey, new ItemRequestOptions { IfMatchEtag = etag }, cancellationToken));
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.PreconditionFailed)
        {
            return null;
        }

        foreach (var message in messages)
        {
            try
            {
                await Translate(() => container.CreateItemAsync(message, partitionKey, new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken));
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
            {
                throw new ConflictProblemException($"Message '{message.MessageId}' already exists in conversation '{message.ConversationId}'.");
            }
        }

        return ToConversation(replaced.Resource, replaced.ETag);
    }

    /// <summary>Gives every message of a soft-deleted conversation the same TTL, so the whole conversation expires together.</summary>
    private async Task ExpireMessagesAsync(Container container, string userId, string conversationId, CancellationToken cancellationToken)
    {
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.userId = @userId AND c.type = @type AND c.conversationId = @conversationId")
            .WithParameter("@userId", userId)
            .WithParameter("@type", MessageType)
            .WithParameter("@conversationId", conversationId);
        var ids = await QueryAllAsync<DocumentId>(container, query, userId, MaxPageSize, cancellationToken);
        PatchOperation[] patch = [PatchOperation.Set("/ttl", DeletedTtlSeconds)];
        foreach (var id in ids)
        {
            try
            {
                await Translate(() => container.PatchItemAsync<MessageDocument>(
                    id.Id, new PartitionKey(userId), patch, new PatchItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken));
            }
            catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone: nothing to expire.
            }
        }

        LogConversationDeleted(conversationId, ids.Count, DeletedTtlSeconds);
    }

    private static async Task<ConversationDocument?> ReadConversationDocumentAsync(Container container, string userId, string conversationId, CancellationToken cancellationToken)
    {
        // Other item kinds in the partition have reserved id prefixes and a different shape: never read them as conversations.
        if (IsReservedId(conversationId))
        {
            return null;
        }

        var document = await ReadOrNullAsync<ConversationDocument>(container, conversationId, userId, cancellationToken);
        return document is { Type: ConversationType } ? document : null;
    }

    private static async Task<MessageDocument?> ReadMessageDocumentAsync(Container container, string userId, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        var document = await ReadOrNullAsync<MessageDocument>(container, MessageDocumentId(conversationId, messageId), userId, cancellationToken);
        return document is { Type: MessageType } && document.ConversationId == conversationId ? document : null;
    }

    private static async Task<T?> ReadOrNullAsync<T>(Container container, string id, string userId, CancellationToken cancellationToken)
        where T : class
    {
        try
        {
            var response = await Translate(() => container.ReadItemAsync<T>(id, new PartitionKey(userId), cancellationToken: cancellationToken));
            return response.Resource;
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private static async Task<List<T>> QueryAllAsync<T>(Container container, QueryDefinition query, string userId, int pageSize, CancellationToken cancellationToken)
    {
        var results = new List<T>();
        using var iterator = container.GetItemQueryIterator<T>(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(userId),
            MaxItemCount = pageSize,
        });
        while (iterator.HasMoreResults)
        {
            results.AddRange(await Translate(() => iterator.ReadNextAsync(cancellationToken)));
        }

        return results;
    }

    private static Task<T> Translate<T>(Func<Task<T>> call) => CosmosProblems.TranslateAsync(call);

    private static ConcurrencyProblemException Stale(string conversationId) =>
        new($"Conversation '{conversationId}' was changed by another request; reload it and retry.");

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conversation {ConversationId} changed during append (attempt {Attempt}); retrying")]
    private partial void LogAppendRetry(string conversationId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Conversation {ConversationId} changed before a rename/delete landed (attempt {Attempt}); retrying on the current version")]
    private partial void LogChangeRetry(string conversationId, int attempt);

    [LoggerMessage(Level = LogLevel.Information, Message = "Conversation {ConversationId} soft-deleted; {MessageCount} messages expire with it in {TtlSeconds} s")]
    private partial void LogConversationDeleted(string conversationId, int messageCount, int ttlSeconds);

    /// <summary>Our wrapper around the SDK's continuation token: the status filter it belongs to plus the SDK token, base64url JSON.
    /// Anything that does not decode is a validation problem, never a server error.</summary>
    private sealed record ListToken(
        [property: JsonPropertyName("f")] string Filter,
        [property: JsonPropertyName("c")] string Continuation)
    {
        public static string Encode(ListToken token) =>
            Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(token, CosmosHistoryContainer.SerializerOptions));

        public static string Decode(string token, string expectedFilter)
        {
            ListToken? decoded;
            try
            {
                decoded = JsonSerializer.Deserialize<ListToken>(Base64Url.DecodeFromChars(token), CosmosHistoryContainer.SerializerOptions);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
            {
                throw Invalid();
            }

            if (decoded is null || decoded.Filter != expectedFilter || string.IsNullOrEmpty(decoded.Continuation))
            {
                throw Invalid();
            }

            return decoded.Continuation;
        }

        public static ValidationProblemException Invalid() =>
            new("continuationToken", "The continuation token is invalid; start again without it.");
    }
}
