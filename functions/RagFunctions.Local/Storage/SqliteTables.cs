using Microsoft.Data.Sqlite;

namespace RagFunctions.Local.Storage;

/// <summary>
/// One store's tables in the shared database: opens a connection and, on the first use in this process, runs the
/// store's idempotent <c>CREATE … IF NOT EXISTS</c> schema (once, even when the first calls race).
/// </summary>
public sealed class SqliteTables(SqliteDatabase database, string schema) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _ready;

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken).ConfigureAwait(false);
        if (_ready)
        {
            return connection;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (!_ready)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = schema;
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                _ready = true;
            }
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            _gate.Release();
        }

        return connection;
    }

    public void Dispose() => _gate.Dispose();
}
