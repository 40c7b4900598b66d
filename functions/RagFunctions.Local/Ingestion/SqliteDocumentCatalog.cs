using System.Text.Json;
using Microsoft.Data.Sqlite;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Ingestion;

/// <summary>Document records in the local SQLite file (one JSON row per document, indexed by queue time).</summary>
public sealed class SqliteDocumentCatalog(SqliteDatabase database) : IDocumentCatalog
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly SemaphoreSlim _schemaGate = new(1, 1);
    private bool _schemaReady;

    public async Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM documents WHERE id = $id";
        command.Parameters.AddWithValue("$id", documentId);
        var json = (string?)await command.ExecuteScalarAsync(cancellationToken);
        return json is null ? null : JsonSerializer.Deserialize<DocumentRecord>(json, Json);
    }

    public async Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM documents ORDER BY queued_at DESC, id";
        var records = new List<DocumentRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(JsonSerializer.Deserialize<DocumentRecord>(reader.GetString(0), Json)!);
        }

        return records;
    }

    /// <summary>Served by an index on the JSON's <c>contentHash</c> (SQLite expression index, no extra column to migrate).</summary>
    public async Task<IReadOnlyList<DocumentRecord>> FindByContentHashAsync(string contentHash, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT json FROM documents WHERE json_extract(json, '$.contentHash') = $hash ORDER BY id";
        command.Parameters.AddWithValue("$hash", contentHash);
        var records = new List<DocumentRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            records.Add(JsonSerializer.Deserialize<DocumentRecord>(reader.GetString(0), Json)!);
        }

        return records;
    }

    public async Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken)
    {
        using var write = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO documents (id, source_path, queued_at, json) VALUES ($id, $path, $queued, $json)
            ON CONFLICT(id) DO UPDATE SET source_path = excluded.source_path, queued_at = excluded.queued_at, json = excluded.json
            """;
        command.Parameters.AddWithValue("$id", record.Id);
        command.Parameters.AddWithValue("$path", record.SourcePath);
        command.Parameters.AddWithValue("$queued", record.QueuedAt.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$json", JsonSerializer.Serialize(record, Json));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task DeleteAsync(string documentId, CancellationToken cancellationToken)
    {
        using var write = await database.EnterWriteAsync(cancellationToken);
        await using var connection = await OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "DELETE FROM documents WHERE id = $id";
        command.Parameters.AddWithValue("$id", documentId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = await database.OpenAsync(cancellationToken);
        if (!_schemaReady)
        {
            await _schemaGate.WaitAsync(cancellationToken);
            try
            {
                await using var command = connection.CreateCommand();
                command.CommandText = """
                    CREATE TABLE IF NOT EXISTS documents (
                        id TEXT PRIMARY KEY, source_path TEXT NOT NULL, queued_at INTEGER NOT NULL, json TEXT NOT NULL);
                    CREATE INDEX IF NOT EXISTS ix_documents_queued ON documents (queued_at DESC);
                    CREATE INDEX IF NOT EXISTS ix_documents_hash ON documents (json_extract(json, '$.contentHash'));
                    """;
                await command.ExecuteNonQueryAsync(cancellationToken);
                _schemaReady = true;
            }
            finally
            {
                _schemaGate.Release();
            }
        }

        return connection;
    }
}
