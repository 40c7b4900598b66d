using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Retrieval;

/// <summary>The local <see cref="ISearchIndex"/>: chunks and float32 vectors are stored durably in SQLite (table <c>search_chunks</c>);
/// queries are served by an <see cref="InMemoryHybridIndex"/> loaded from it at start and kept in step on every write.</summary>
/// <remarks>A write commits to SQLite first (one transaction: delete the document's rows, insert the new ones), then swaps the
/// document in memory atomically; writes are serialised so memory applies them in commit order. A crash between the two steps
/// loses nothing: the next start loads the committed state.</remarks>
public sealed partial class SqliteSearchIndex : ISearchIndex, IDisposable
{
    public const string EngineName = "local-bm25-int8-rrf";

    private const string Columns =
        "id, document_id, ordinal, content, title, source_path, page, heading, start_offset, end_offset, tokens, owner_ids, group_ids, vector, terms";

    private readonly SqliteDatabase _database;
    private readonly ILogger<SqliteSearchIndex> _logger;
    private readonly InMemoryHybridIndex _memory;
    private readonly TermVocabulary _vocabulary = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _ready;
    private int _reanalysed;

    public SqliteSearchIndex(SqliteDatabase database, IOptions<EmbeddingOptions> embedding, ILogger<SqliteSearchIndex> logger)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        _database = database;
        _logger = logger;
        _memory = new InMemoryHybridIndex(embedding.Value.Dimensions);
    }

    public int Dimensions => _memory.Dimensions;

    /// <summary>How long the start-up load took (read + analysis + index build); null before it ran.</summary>
    public TimeSpan? LoadDuration { get; private set; }

    /// <summary>Chunks the start-up load had to analyse again because their persisted terms were missing or stale.</summary>
    public int LoadReanalysedChunks => _reanalysed;

    /// <summary>The part of <see cref="LoadDuration"/> spent reading rows from SQLite and analysing them (overlapped).</summary>
    public TimeSpan? LoadReadDuration { get; private set; }

    public async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready)
        {
            return;
        }

        await _loading.WaitAsync(cancellationToken);
        try
        {
            if (_ready)
            {
                return;
            }

            var stopwatch = Stopwatch.StartNew();
            await using var connection = await _database.OpenAsync(cancellationToken);
            await CreateSchemaAsync(connection, cancellationToken);
            await ReadVocabularyAsync(connection, cancellationToken);
            var (batches, skippedVectors) = await ReadAllAsync(connection, cancellationToken);
            var readTime = stopwatch.Elapsed;
            LoadReadDuration = readTime;
            _memory.Load(batches);
            LoadDuration = stopwatch.Elapsed;
            _ready = true;
            LogLoaded(_memory.ChunkCount, _memory.DocumentCount, readTime.TotalMilliseconds, LoadDuration.Value.TotalMilliseconds);
            if (skippedVectors > 0)
            {
                LogDimensionMismatch(skippedVectors, Dimensions);
            }
        }
        finally
        {
            _loading.Release();
        }
    }

    public async Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (var chunk in chunks)
        {
            if (!string.Equals(chunk.Chunk.DocumentId, documentId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Chunk '{chunk.Chunk.Id}' belongs to document '{chunk.Chunk.DocumentId}', not '{documentId}'.", nameof(chunks));
            }

            if (!chunk.Vector.IsEmpty && chunk.Vector.Length != Dimensions)
            {
                throw new ArgumentException($"Chunk '{chunk.Chunk.Id}' has {chunk.Vector.Length} dimensions; the index has {Dimensions}.", nameof(chunks));
            }
        }

        await EnsureReadyAsync(cancellationToken);
        // Analyse once: the terms are both persisted (fast restarts) and swapped into memory.
        var batch = _memory.Prepare(chunks);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            List<(int Id, string Term)> newTerms;
            using (await _database.EnterWriteAsync(cancellationToken))
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                await DeleteRowsAsync(connection, transaction, documentId, cancellationToken);
                newTerms = await InsertRowsAsync(connection, transaction, chunks, batch, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            foreach (var (id, term) in newTerms)
            {
                _vocabulary.Add(id, term, _memory.Analyzer);
            }

            // Committed: the in-memory swap must follow whatever the caller's token says now.
            _memory.ReplaceDocument(documentId, batch);
            LogReplaced(documentId, chunks.Count);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        await EnsureReadyAsync(cancellationToken);
        await _writer.WaitAsync(cancellationToken);
        try
        {
            using (await _database.EnterWriteAsync(cancellationToken))
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                await DeleteRowsAsync(connection, transaction, documentId, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            _memory.DeleteDocument(documentId);
            LogDeleted(documentId);
        }
        finally
        {
            _writer.Release();
        }
    }

    public async Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Top is < 1 or > InMemoryHybridIndex.MaxTop)
        {
            throw new ValidationProblemException("top", $"top must be between 1 and {InMemoryHybridIndex.MaxTop}.");
        }

        if (!query.Vector.IsEmpty && query.Vector.Length != Dimensions)
        {
            throw new ValidationProblemException("vector", $"The query vector has {query.Vector.Length} dimensions; the index has {Dimensions}.");
        }

        await EnsureReadyAsync(cancellationToken);
        return _memory.Search(query);
    }

    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        return new IndexStats(_memory.DocumentCount, _memory.ChunkCount, Dimensions, EngineName);
    }

    public void Dispose()
    {
        _memory.Dispose();
        _writer.Dispose();
        _loading.Dispose();
    }

    private static async Task CreateSchemaAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = """
            CREATE TABLE IF NOT EXISTS search_chunks (
                id TEXT NOT NULL PRIMARY KEY,
                document_id TEXT NOT NULL,
                ordinal INTEGER NOT NULL,
                content TEXT NOT NULL,
                title TEXT NOT NULL,
                source_path TEXT NOT NULL,
                page INTEGER NULL,
                heading TEXT NULL,
                start_offset INTEGER NOT NULL,
                end_offset INTEGER NOT NULL,
                tokens INTEGER NOT NULL,
                owner_ids TEXT NOT NULL,
                group_ids TEXT NOT NULL,
                vector BLOB NULL,
                terms BLOB NULL
            );
            CREATE INDEX IF NOT EXISTS ix_search_chunks_document ON search_chunks (document_id, ordinal);
            CREATE TABLE IF NOT EXISTS search_terms (
                id INTEGER NOT NULL PRIMARY KEY,
                term TEXT NOT NULL UNIQUE
            );
            """;
        await command.ExecuteNonQueryAsync(cancellationToken);

        // Databases created before the terms column existed get it added (their rows are analysed at load).
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('search_chunks') WHERE name = 'terms'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = "ALTER TABLE search_chunks ADD COLUMN terms BLOB NULL";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    private async Task ReadVocabularyAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, term FROM search_terms";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            _vocabulary.Add(reader.GetInt32(0), reader.GetString(1), _memory.Analyzer);
        }
    }

    /// <summary>Reads every row; each batch of rows is analysed on the thread pool while the next is read.</summary>
    private async Task<(InMemoryHybridIndex.PreparedBatch[] Batches, int SkippedVectors)> ReadAllAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        const int batchSize = 2048;
        var preparing = new List<Task<InMemoryHybridIndex.PreparedBatch>>();
        var batch = new List<IndexedChunk>(batchSize);
        var blobs = new List<byte[]?>(batchSize);
        var skipped = 0;
        await using (var command = connection.CreateCommand())
        {
            command.CommandText = $"SELECT {Columns} FROM search_chunks ORDER BY document_id, ordinal";
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var (chunk, dimensionMismatch) = ReadRow(reader);
                skipped += dimensionMismatch ? 1 : 0;
                batch.Add(chunk);
                blobs.Add(reader.IsDBNull(14) ? null : reader.GetFieldValue<byte[]>(14));
                if (batch.Count == batchSize)
                {
                    preparing.Add(PrepareAsync(batch, blobs, cancellationToken));
                    batch = new List<IndexedChunk>(batchSize);
                    blobs = new List<byte[]?>(batchSize);
                }
            }
        }

        if (batch.Count > 0)
        {
            preparing.Add(PrepareAsync(batch, blobs, cancellationToken));
        }

        return (await Task.WhenAll(preparing), skipped);
    }

    /// <summary>Decodes persisted terms (re-analysing rows without usable ones) on the thread pool.</summary>
    private Task<InMemoryHybridIndex.PreparedBatch> PrepareAsync(List<IndexedChunk> chunks, List<byte[]?> blobs, CancellationToken cancellationToken) =>
        Task.Run(
            () =>
            {
                var terms = blobs.Select(blob => TermsBlob.Decode(blob, _vocabulary, _memory.Analyzer)).ToArray();
                Interlocked.Add(ref _reanalysed, terms.Count(t => t is null));
                return _memory.Prepare(chunks, terms);
            },
            cancellationToken);

    private (IndexedChunk Chunk, bool DimensionMismatch) ReadRow(SqliteDataReader reader)
    {
        var chunk = new DocumentChunk(
            reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
            reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10))
        {
            OwnerIds = ParseIds(reader.GetString(11)),
            GroupIds = ParseIds(reader.GetString(12)),
        };

        if (reader.IsDBNull(13))
        {
            return (new IndexedChunk(chunk, ReadOnlyMemory<float>.Empty), false);
        }

        var bytes = reader.GetFieldValue<byte[]>(13);
        if (bytes.Length != Dimensions * sizeof(float))
        {
            // Stored with another embedding size (configuration changed): keyword-only until re-ingested.
            return (new IndexedChunk(chunk, ReadOnlyMemory<float>.Empty), true);
        }

        var floats = new float[Dimensions];
        bytes.AsSpan().CopyTo(MemoryMarshal.AsBytes(floats.AsSpan()));
        return (new IndexedChunk(chunk, floats), false);
    }

    private static async Task DeleteRowsAsync(SqliteConnection connection, SqliteTransaction transaction, string documentId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM search_chunks WHERE document_id = $document";
        command.Parameters.AddWithValue("$document", documentId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Inserts the rows and any terms the vocabulary lacks; returns those terms, to be remembered once committed.</summary>
    private async Task<List<(int Id, string Term)>> InsertRowsAsync(SqliteConnection connection, SqliteTransaction transaction,
        IReadOnlyList<IndexedChunk> chunks, InMemoryHybridIndex.PreparedBatch batch, CancellationToken cancellationToken)
    {
        var newTerms = new List<(int Id, string Term)>();
        if (chunks.Count == 0)
        {
            return newTerms;
        }

        var pending = new Dictionary<string, int>(StringComparer.Ordinal);
        int IdOf(string term)
        {
            if (_vocabulary.TryGetId(term, out var id) || pending.TryGetValue(term, out id))
            {
                return id;
            }

            id = _vocabulary.NextId + pending.Count;
            pending.Add(term, id);
            newTerms.Add((id, term));
            return id;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT OR REPLACE INTO search_chunks ({Columns})
            VALUES ($id, $document, $ordinal, $content, $title, $source, $page, $heading, $start, $end, $tokens, $owners, $groups, $vector, $terms)
            """;
        string[] names = ["$id", "$document", "$ordinal", "$content", "$title", "$source", "$page", "$heading", "$start", "$end", "$tokens", "$owners", "$groups", "$vector", "$terms"];
        var parameters = names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        for (var index = 0; index < chunks.Count; index++)
        {
            var item = chunks[index];
            var c = item.Chunk;
            object?[] values =
            [
                c.Id, c.DocumentId, c.Ordinal, c.Content, c.Title, c.SourcePath, c.Page, c.Heading, c.StartOffset, c.EndOffset, c.TokenCount,
                JsonSerializer.Serialize(c.OwnerIds), JsonSerializer.Serialize(c.GroupIds),
                item.Vector.IsEmpty ? null : MemoryMarshal.AsBytes(item.Vector.Span).ToArray(),
                TermsBlob.Encode(batch.TermsOf(index), IdOf),
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        if (newTerms.Count > 0)
        {
            await using var terms = connection.CreateCommand();
            terms.Transaction = transaction;
            terms.CommandText = "INSERT INTO search_terms (id, term) VALUES ($id, $term)";
            var id = terms.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            var term = terms.Parameters.Add(new SqliteParameter { ParameterName = "$term" });
            foreach (var (termId, text) in newTerms)
            {
                id.Value = termId;
                term.Value = text;
                await terms.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        return newTerms;
    }

    private static IReadOnlyList<string> ParseIds(string json) =>
        json is "[]" or "" ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index loaded {ChunkCount} chunks of {DocumentCount} documents from SQLite (read {ReadMs:F0} ms, total {TotalMs:F0} ms)")]
    private partial void LogLoaded(int chunkCount, int documentCount, double readMs, double totalMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} stored vectors do not have {Dimensions} dimensions; those chunks are keyword-only until their documents are re-ingested")]
    private partial void LogDimensionMismatch(int count, int dimensions);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Indexed {ChunkCount} chunks of document {DocumentId}")]
    private partial void LogReplaced(string documentId, int chunkCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed document {DocumentId} from the search index")]
    private partial void LogDeleted(string documentId);
}
