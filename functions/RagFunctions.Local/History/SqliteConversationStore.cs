using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.History;

/// <summary>Conversation history in the local SQLite file, with the same observable behaviour as the Cosmos DB store:
/// every statement filters by <c>user_id</c>, writes rotate an ETag, conversation lists page by an opaque keyset token,
/// soft-deleted conversations are hidden and later removed by <see cref="PurgeDeletedAsync"/>.</summary>
public sealed class SqliteConversationStore : IConversationStore
{
    /// <summary>Largest page the store returns; bigger requests are clamped.</summary>
    public const int MaxPageSize = 100;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS conversations (
            user_id TEXT NOT NULL,
            id TEXT NOT NULL,
            status TEXT NOT NULL,
            assessment_id TEXT NULL,
            created_at INTEGER NOT NULL,
            updated_at INTEGER NOT NULL,
            message_count INTEGER NOT NULL,
            etag TEXT NOT NULL,
            deleted_at INTEGER NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (user_id, id)
        );
        CREATE INDEX IF NOT EXISTS ix_conversations_user_updated ON conversations (user_id, updated_at DESC, id DESC);
        CREATE INDEX IF NOT EXISTS ix_conversations_deleted ON conversations (status, deleted_at);
        CREATE TABLE IF NOT EXISTS messages (
            user_id TEXT NOT NULL,
            conversation_id TEXT NOT NULL,
            id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            created_at INTEGER NOT NULL,
            has_usage INTEGER NOT NULL,
            etag TEXT NOT NULL,
            json TEXT NOT NULL,
            PRIMARY KEY (user_id, conversation_id, id),
            UNIQUE (user_id, conversation_id, seq)
        );
        CREATE INDEX IF NOT EXISTS ix_messages_user_usage ON messages (user_id, has_usage, created_at);
        """;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly SqliteDatabase _database;
    private readonly IOptions<HistoryOptions> _options;
    private readonly TimeProvider _time;
    private readonly SqliteTables _tables;

    public SqliteConversationStore(SqliteDatabase database, IOptions<HistoryOptions> options, TimeProvider? time = null)
    {
        _database = database;
        _tables = new SqliteTables(database, Schema);
        _options = options;
        _time = time ?? TimeProvider.System;
    }

    public async Task<Conversation?> GetConversationAsync(string userId, string conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        var conversation = await ReadConversationAsync(connection, null, userId, conversationId, cancellationToken);
        return conversation is { Status: not ConversationStatus.Deleted } ? conversation : null;
    }

    public async Task<(Conversation Conversation, bool Created)> CreateIfNotExistsAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        var stored = conversation with { ETag = NewETag(), MessageCount = 0 };
        using var write = await _database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // The primary key decides the race: of two concurrent inserts exactly one changes a row.
        command.CommandText = """
            INSERT OR IGNORE INTO conversations (user_id, id, status, assessment_id, created_at, updated_at, message_count, etag, deleted_at, json)
            VALUES ($user, $id, $status, $assessment, $created, $updated, 0, $etag, $deleted, $json);
            """;
        AddConversationParameters(command, stored, DeletedAtFor(stored.Status));
        var inserted = await command.ExecuteNonQueryAsync(cancellationToken) == 1;
        if (inserted)
        {
            return (stored, true);
        }

        var existing = await ReadConversationAsync(connection, null, conversation.UserId, conversation.Id, cancellationToken)
            ?? throw new InvalidOperationException($"Conversation {conversation.Id} vanished between insert and read.");
        return (existing, false);
    }

    public Task<Conversation> UpdateConversationAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        return ChangeConversationAsync(conversation.UserId, conversation.Id, _ => conversation, conversation.ETag, cancellationToken);
    }

    public async Task<Conversation> ChangeConversationAsync(string userId, string conversationId, Func<Conversation, Conversation> change, string? ifMatch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        // Read, check and write under the process's write lock and one transaction: no other write to this file can come between them,
        // so a change without a precondition always lands on the current version.
        using var write = await _database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var current = await ReadConversationAsync(connection, transaction, userId, conversationId, cancellationToken);
        if (current is null || current.Status == ConversationStatus.Deleted)
        {
            throw new NotFoundProblemException($"Conversation '{conversationId}' was not found.");
        }

        if (ifMatch is not null && !ETags.Matches(ifMatch, current.ETag))
        {
            throw new ConcurrencyProblemException($"Conversation '{conversationId}' was changed by another request; reload it and retry.");
        }

        // Identity, message count and creation time belong to the store: a caller cannot move or rewind them.
        var updated = change(current) with
        {
            UserId = userId, Id = conversationId, ETag = NewETag(), MessageCount = current.MessageCount, CreatedAt = current.CreatedAt,
        };
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE conversations SET status = $status, assessment_id = $assessment, updated_at = $updated, etag = $etag,
                    deleted_at = $deleted, json = $json
                WHERE user_id = $user AND id = $id AND etag = $expected;
                """;
            AddConversationParameters(command, updated, DeletedAtFor(updated.Status));
            command.Parameters.AddWithValue("$expected", current.ETag);
            if (await command.ExecuteNonQueryAsync(cancellationToken) != 1)
            {
                throw new ConcurrencyProblemException($"Conversation '{conversationId}' was changed by another request; reload it and retry.");
            }
        }

        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    public async Task<Page<Conversation>> ListConversationsAsync(string userId, ConversationStatus? status, int limit, string? continuationToken, CancellationToken cancellationToken)
    {
        if (status == ConversationStatus.Deleted)
        {
            throw new ValidationProblemException("status", "Deleted conversations cannot be listed.");
        }

        var filter = status is null ? "any" : StatusName(status.Value);
        var after = continuationToken is null ? null : KeysetToken.Decode(continuationToken, filter);
        var take = Math.Clamp(limit, 1, MaxPageSize);

        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var sql = new StringBuilder("SELECT json, etag, message_count FROM conversations WHERE user_id = $user");
        sql.Append(status is null ? " AND status IN ('active', 'archived')" : " AND status = $status");
        if (after is not null)
        {
            sql.Append(" AND (updated_at < $afterUpdated OR (updated_at = $afterUpdated AND id < $afterId))");
            command.Parameters.AddWithValue("$afterUpdated", after.UpdatedTicks);
            command.Parameters.AddWithValue("$afterId", after.Id);
        }

        sql.Append(" ORDER BY updated_at DESC, id DESC LIMIT $take;");
        command.CommandText = sql.ToString();
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$take", take + 1);
        if (status is not null)
        {
            command.Parameters.AddWithValue("$status", StatusName(status.Value));
        }

        var items = new List<Conversation>(take + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                items.Add(ReadConversation(reader));
            }
        }

        string? next = null;
        if (items.Count > take)
        {
            items.RemoveAt(take);
            var last = items[^1];
            next = KeysetToken.Encode(new KeysetToken(last.UpdatedAt.UtcTicks, last.Id, filter));
        }

        return new Page<Conversation>(items, next);
    }

    public async Task<Conversation> AppendMessagesAsync(string userId, string conversationId, IReadOnlyList<ConversationMessage> messages, DateTimeOffset updatedAt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var write = await _database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        var current = await ReadConversationAsync(connection, transaction, userId, conversationId, cancellationToken);
        if (current is null || current.Status == ConversationStatus.Deleted)
        {
            throw new NotFoundProblemException($"Conversation '{conversationId}' was not found.");
        }

        var seq = await NextSeqAsync(connection, transaction, userId, conversationId, cancellationToken);
        foreach (var message in messages)
        {
            var stored = message with { UserId = userId, ConversationId = conversationId, ETag = null };
            await using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = """
                INSERT INTO messages (user_id, conversation_id, id, seq, created_at, has_usage, etag, json)
                VALUES ($user, $conversation, $id, $seq, $created, $usage, $etag, $json);
                """;
            insert.Parameters.AddWithValue("$user", userId);
            insert.Parameters.AddWithValue("$conversation", conversationId);
            insert.Parameters.AddWithValue("$id", stored.Id);
            insert.Parameters.AddWithValue("$seq", seq++);
            insert.Parameters.AddWithValue("$created", stored.CreatedAt.UtcTicks);
            insert.Parameters.AddWithValue("$usage", HasUsage(stored) ? 1 : 0);
            insert.Parameters.AddWithValue("$etag", NewETag());
            insert.Parameters.AddWithValue("$json", JsonSerializer.Serialize(stored, Json));
            try
            {
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == 19)
            {
                throw new ConflictProblemException($"Message '{message.Id}' already exists in conversation '{conversationId}'.");
            }
        }

        var updated = current with
        {
            UpdatedAt = updatedAt > current.UpdatedAt ? updatedAt : current.UpdatedAt,
            MessageCount = current.MessageCount + messages.Count,
            ETag = NewETag(),
        };
        await using (var command = connection.CreateCommand())
        {
            command.Transaction = transaction;
            command.CommandText = """
                UPDATE conversations SET updated_at = $updated, message_count = $count, etag = $etag, json = $json
                WHERE user_id = $user AND id = $id;
                """;
            AddConversationParameters(command, updated, null);
            command.Parameters.AddWithValue("$count", updated.MessageCount);
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    public async Task<ConversationMessage> UpdateMessageAsync(ConversationMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var stored = message with { ETag = null };
        var etag = NewETag();
        using var write = await _database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            UPDATE messages SET json = $json, etag = $etag, has_usage = $usage
            WHERE user_id = $user AND conversation_id = $conversation AND id = $id AND ($expected IS NULL OR etag = $expected);
            """;
        command.Parameters.AddWithValue("$json", JsonSerializer.Serialize(stored, Json));
        command.Parameters.AddWithValue("$etag", etag);
        command.Parameters.AddWithValue("$usage", HasUsage(stored) ? 1 : 0);
        command.Parameters.AddWithValue("$user", message.UserId);
        command.Parameters.AddWithValue("$conversation", message.ConversationId);
        command.Parameters.AddWithValue("$id", message.Id);
        command.Parameters.AddWithValue("$expected", (object?)message.ETag ?? DBNull.Value);
        if (await command.ExecuteNonQueryAsync(cancellationToken) == 1)
        {
            return stored with { ETag = etag };
        }

        if (await GetMessageAsync(message.UserId, message.ConversationId, message.Id, cancellationToken) is null)
        {
            throw new NotFoundProblemException($"Message '{message.Id}' was not found.");
        }

        throw new ConcurrencyProblemException($"Message '{message.Id}' was changed by another request; reload it and retry.");
    }

    public async Task<ConversationMessage?> GetMessageAsync(string userId, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json, etag FROM messages WHERE user_id = $user AND conversation_id = $conversation AND id = $id;";
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$conversation", conversationId);
        command.Parameters.AddWithValue("$id", messageId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadMessage(reader) : null;
    }

    public async Task<Page<ConversationMessage>> ListMessagesAsync(string userId, string conversationId, int limit, string? beforeMessageId, CancellationToken cancellationToken)
    {
        var take = Math.Clamp(limit, 1, MaxPageSize);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        var beforeClause = "";
        if (beforeMessageId is not null)
        {
            await using var seqCommand = connection.CreateCommand();
            seqCommand.CommandText = "SELECT seq FROM messages WHERE user_id = $user AND conversation_id = $conversation AND id = $id;";
            seqCommand.Parameters.AddWithValue("$user", userId);
            seqCommand.Parameters.AddWithValue("$conversation", conversationId);
            seqCommand.Parameters.AddWithValue("$id", beforeMessageId);
            var beforeSeq = await seqCommand.ExecuteScalarAsync(cancellationToken)
                ?? throw new ValidationProblemException("before", $"Message '{beforeMessageId}' is not part of this conversation.");
            beforeClause = " AND seq < $before";
            command.Parameters.AddWithValue("$before", (long)beforeSeq);
        }

        command.CommandText = $"""
            SELECT json, etag FROM messages WHERE user_id = $user AND conversation_id = $conversation{beforeClause}
            ORDER BY seq DESC LIMIT $take;
            """;
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$conversation", conversationId);
        command.Parameters.AddWithValue("$take", take + 1);
        var newestFirst = new List<ConversationMessage>(take + 1);
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                newestFirst.Add(ReadMessage(reader));
            }
        }

        var hasOlder = newestFirst.Count > take;
        var page = newestFirst.Take(take).Reverse().ToList();
        return new Page<ConversationMessage>(page, hasOlder ? page[0].Id : null);
    }

    public async Task<IReadOnlyList<UsageRecord>> ListUsageAsync(string userId, DateTimeOffset since, string? conversationId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = $"""
            SELECT json, etag FROM messages WHERE user_id = $user AND has_usage = 1 AND created_at >= $since
            {(conversationId is null ? "" : "AND conversation_id = $conversation")}
            ORDER BY created_at, seq;
            """;
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$since", since.UtcTicks);
        if (conversationId is not null)
        {
            command.Parameters.AddWithValue("$conversation", conversationId);
        }

        var usage = new List<UsageRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var message = ReadMessage(reader);
            var tokens = message.Metadata!.Usage!;
            usage.Add(new UsageRecord(message.ConversationId, message.Id, message.Metadata.Model, tokens.PromptTokens, tokens.CompletionTokens, message.CreatedAt));
        }

        return usage;
    }

    public async Task<IReadOnlyList<EscalatedMessage>> ListEscalationsAsync(DateTimeOffset since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        // Escalations are rare; the JSON filter runs after the created_at range narrows the scan.
        command.CommandText = """
            SELECT m.json, m.etag FROM messages m
            JOIN conversations c ON c.user_id = m.user_id AND c.id = m.conversation_id
            WHERE m.created_at >= $since AND c.status != 'deleted' AND json_extract(m.json, '$.triage.escalate') = 1
            ORDER BY m.created_at DESC, m.seq DESC
            LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$since", since.UtcTicks);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, MaxPageSize));
        var escalations = new List<EscalatedMessage>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var message = ReadMessage(reader);
            escalations.Add(new EscalatedMessage(message.UserId, message.ConversationId, message.Id, message.Content, message.CreatedAt, message.Triage!));
        }

        return escalations;
    }

    /// <summary>Removes conversations (and their messages) soft-deleted more than <see cref="HistoryOptions.DeletedRetentionDays"/> before <paramref name="now"/>.
    /// The SQLite counterpart of the per-item TTL on Cosmos DB. Returns the number of conversations removed.</summary>
    public async Task<int> PurgeDeletedAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var cutoff = (now - _options.Value.DeletedRetention).UtcTicks;
        using var write = await _database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var messages = connection.CreateCommand())
        {
            messages.Transaction = transaction;
            messages.CommandText = """
                DELETE FROM messages WHERE (user_id, conversation_id) IN
                    (SELECT user_id, id FROM conversations WHERE status = 'deleted' AND deleted_at <= $cutoff);
                """;
            messages.Parameters.AddWithValue("$cutoff", cutoff);
            await messages.ExecuteNonQueryAsync(cancellationToken);
        }

        int purged;
        await using (var conversations = connection.CreateCommand())
        {
            conversations.Transaction = transaction;
            conversations.CommandText = "DELETE FROM conversations WHERE status = 'deleted' AND deleted_at <= $cutoff;";
            conversations.Parameters.AddWithValue("$cutoff", cutoff);
            purged = await conversations.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return purged;
    }

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _tables.OpenAsync(cancellationToken);

    private static async Task<Conversation?> ReadConversationAsync(SqliteConnection connection, SqliteTransaction? transaction, string userId, string conversationId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT json, etag, message_count FROM conversations WHERE user_id = $user AND id = $id;";
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$id", conversationId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? ReadConversation(reader) : null;
    }

    private static async Task<long> NextSeqAsync(SqliteConnection connection, SqliteTransaction transaction, string userId, string conversationId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT COALESCE(MAX(seq), -1) + 1 FROM messages WHERE user_id = $user AND conversation_id = $conversation;";
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$conversation", conversationId);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static Conversation ReadConversation(SqliteDataReader reader) =>
        JsonSerializer.Deserialize<Conversation>(reader.GetString(0), Json)! with
        {
            ETag = reader.GetString(1),
            MessageCount = reader.GetInt32(2),
        };

    private static ConversationMessage ReadMessage(SqliteDataReader reader) =>
        JsonSerializer.Deserialize<ConversationMessage>(reader.GetString(0), Json)! with { ETag = reader.GetString(1) };

    private void AddConversationParameters(SqliteCommand command, Conversation conversation, long? deletedAt)
    {
        command.Parameters.AddWithValue("$user", conversation.UserId);
        command.Parameters.AddWithValue("$id", conversation.Id);
        command.Parameters.AddWithValue("$status", StatusName(conversation.Status));
        command.Parameters.AddWithValue("$assessment", (object?)conversation.AssessmentId ?? DBNull.Value);
        command.Parameters.AddWithValue("$created", conversation.CreatedAt.UtcTicks);
        command.Parameters.AddWithValue("$updated", conversation.UpdatedAt.UtcTicks);
        command.Parameters.AddWithValue("$etag", conversation.ETag);
        command.Parameters.AddWithValue("$deleted", (object?)deletedAt ?? DBNull.Value);
        command.Parameters.AddWithValue("$json", JsonSerializer.Serialize(conversation with { ETag = null }, Json));
    }

    private long? DeletedAtFor(ConversationStatus status) =>
        status == ConversationStatus.Deleted ? _time.GetUtcNow().UtcTicks : null;

    private static bool HasUsage(ConversationMessage message) => message.Metadata?.Usage is not null;

    private static string NewETag() => Guid.NewGuid().ToString("N");

    private static string StatusName(ConversationStatus status) => status switch
    {
        ConversationStatus.Active => "active",
        ConversationStatus.Archived => "archived",
        ConversationStatus.Deleted => "deleted",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Position after the last conversation of a page: (updatedAt, id) plus the status filter it was issued for.</summary>
    private sealed record KeysetToken(
        [property: JsonPropertyName("u")] long UpdatedTicks,
        [property: JsonPropertyName("i")] string Id,
        [property: JsonPropertyName("s")] string Filter)
    {
        private const string Invalid = "The continuation token is invalid; start again without it.";

        public static string Encode(KeysetToken token) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(token, Json));

        public static KeysetToken Decode(string token, string expectedFilter)
        {
            KeysetToken? decoded;
            try
            {
                decoded = JsonSerializer.Deserialize<KeysetToken>(Base64Url.DecodeFromChars(token), Json);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
            {
                throw new ValidationProblemException("continuationToken", Invalid);
            }

            if (decoded is null || string.IsNullOrEmpty(decoded.Id) || decoded.UpdatedTicks <= 0 || decoded.Filter != expectedFilter)
            {
                throw new ValidationProblemException("continuationToken", Invalid);
            }

            return decoded;
        }
    }
}
