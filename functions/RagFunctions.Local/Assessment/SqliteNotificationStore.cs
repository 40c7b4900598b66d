using System.Globalization;
using Microsoft.Data.Sqlite;
using RagFunctions.Core.Assessment;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Assessment;

/// <summary>Local <c>chatbot_ready</c> notifications in the shared SQLite file. The deterministic id is the primary key and inserts
/// ignore duplicates, so redelivered events collapse into one record.</summary>
public sealed class SqliteNotificationStore(SqliteDatabase database) : INotificationSink, INotificationReader, IDisposable
{
    private const string Schema = """
            CREATE TABLE IF NOT EXISTS notifications (
                id TEXT NOT NULL PRIMARY KEY,
                user_id TEXT NOT NULL,
                type TEXT NOT NULL,
                conversation_id TEXT NOT NULL,
                assessment_id TEXT NOT NULL,
                created_at TEXT NOT NULL,
                created_ticks INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_notifications_user_created ON notifications (user_id, created_ticks);
            """;

    private readonly SqliteTables _tables = new(database, Schema);

    public async Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        using var write = await database.EnterWriteAsync(cancellationToken).ConfigureAwait(false);
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT OR IGNORE INTO notifications (id, user_id, type, conversation_id, assessment_id, created_at, created_ticks)
            VALUES ($id, $user, $type, $conversation, $assessment, $created, $ticks);
            """;
        command.Parameters.AddWithValue("$id", notification.Id);
        command.Parameters.AddWithValue("$user", notification.UserId);
        command.Parameters.AddWithValue("$type", notification.Type);
        command.Parameters.AddWithValue("$conversation", notification.ConversationId);
        command.Parameters.AddWithValue("$assessment", notification.AssessmentId);
        command.Parameters.AddWithValue("$created", notification.CreatedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$ticks", notification.CreatedAt.UtcTicks);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<ChatbotReadyNotification>> ListAsync(string userId, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, user_id, conversation_id, assessment_id, created_at FROM notifications
            WHERE user_id = $user AND created_ticks > $since
            ORDER BY created_ticks, id
            LIMIT $limit;
            """;
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$since", since?.UtcTicks ?? -1L);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, 1000));
        var items = new List<ChatbotReadyNotification>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            items.Add(new ChatbotReadyNotification(
                reader.GetString(0),
                reader.GetString(1),
                reader.GetString(2),
                reader.GetString(3),
                DateTimeOffset.Parse(reader.GetString(4), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind)));
        }

        return items;
    }

    public void Dispose() => _tables.Dispose();

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _tables.OpenAsync(cancellationToken);
}
