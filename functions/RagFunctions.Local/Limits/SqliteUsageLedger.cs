using Microsoft.Data.Sqlite;
using RagFunctions.Core.Limits;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Limits;

/// <summary>The usage ledger in the local SQLite file (table <c>usage_ledger</c>). Every statement filters by <c>user_id</c>; recording an
/// entry also drops that user's entries older than <see cref="IUsageLedger.Retention"/>, so the table stays small without a sweeper.</summary>
public sealed class SqliteUsageLedger(SqliteDatabase database) : IUsageLedger
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS usage_ledger (
            user_id TEXT NOT NULL,
            id TEXT NOT NULL,
            kind TEXT NOT NULL,
            amount INTEGER NOT NULL,
            at INTEGER NOT NULL,
            PRIMARY KEY (user_id, id)
        );
        CREATE INDEX IF NOT EXISTS ix_usage_ledger_user_kind_at ON usage_ledger (user_id, kind, at);
        """;

    private readonly SqliteTables _tables = new(database, Schema);

    public async Task RecordAsync(UsageEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var write = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
        await using (var insert = connection.CreateCommand())
        {
            insert.Transaction = transaction;
            insert.CommandText = "INSERT OR IGNORE INTO usage_ledger (user_id, id, kind, amount, at) VALUES ($user, $id, $kind, $amount, $at);";
            insert.Parameters.AddWithValue("$user", entry.UserId);
            insert.Parameters.AddWithValue("$id", entry.Id);
            insert.Parameters.AddWithValue("$kind", KindName(entry.Kind));
            insert.Parameters.AddWithValue("$amount", entry.Amount);
            insert.Parameters.AddWithValue("$at", entry.At.UtcTicks);
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }

        await using (var prune = connection.CreateCommand())
        {
            prune.Transaction = transaction;
            prune.CommandText = "DELETE FROM usage_ledger WHERE user_id = $user AND at < $cutoff;";
            prune.Parameters.AddWithValue("$user", entry.UserId);
            prune.Parameters.AddWithValue("$cutoff", (entry.At - IUsageLedger.Retention).UtcTicks);
            await prune.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    public async Task RemoveAsync(string userId, string entryId, CancellationToken cancellationToken)
    {
        using var write = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM usage_ledger WHERE user_id = $user AND id = $id;";
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$id", entryId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<UsageEntry>> ListAsync(string userId, UsageKind kind, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, amount, at FROM usage_ledger WHERE user_id = $user AND kind = $kind AND at >= $since ORDER BY at, id;";
        command.Parameters.AddWithValue("$user", userId);
        command.Parameters.AddWithValue("$kind", KindName(kind));
        command.Parameters.AddWithValue("$since", since.UtcTicks);
        var entries = new List<UsageEntry>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            entries.Add(new UsageEntry(userId, reader.GetString(0), kind, reader.GetInt64(1), new DateTimeOffset(reader.GetInt64(2), TimeSpan.Zero)));
        }

        return entries;
    }

    /// <summary>Rows in the table for a user, old ones included (for tests of the retention).</summary>
    internal async Task<int> CountRowsAsync(string userId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM usage_ledger WHERE user_id = $user;";
        command.Parameters.AddWithValue("$user", userId);
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string KindName(UsageKind kind) => kind switch
    {
        UsageKind.Message => "message",
        UsageKind.Conversation => "conversation",
        UsageKind.Tokens => "tokens",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken) => _tables.OpenAsync(cancellationToken);
}
