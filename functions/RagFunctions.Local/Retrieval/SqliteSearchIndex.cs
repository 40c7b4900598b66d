using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Runtime;
using System.Text;
using Microsoft.Data.Sqlite;
using SQLitePCL;
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
/// <para>It is also the host's <see cref="IVectorCache"/>: every row records the embedder that made its vector and the hash of
/// the text it embedded (<c>text_hash</c>, indexed), so ingestion reuses the vectors of chunks whose text did not change.
/// The cache is the index's own rows, so it needs no pruning: it holds what the index holds, and survives restarts with it.</para>
public sealed partial class SqliteSearchIndex : ISearchIndex, IVectorCache, IDisposable
{
    public const string EngineName = "local-bm25-int8-rrf";

    private const string Columns =
        "id, document_id, ordinal, content, title, source_path, page, heading, start_offset, end_offset, tokens, owner_ids, group_ids, vector, terms, vector_model, text_hash";

    /// <summary>Hashes per look-up statement (SQLite allows 32,766 parameters; a batch has at most a few dozen).</summary>
    private const int HashesPerLookup = 500;

    private readonly SqliteDatabase _database;
    private readonly ILogger<SqliteSearchIndex> _logger;
    private readonly InMemoryHybridIndex _memory;
    private readonly TermVocabulary _vocabulary = new();
    private readonly SemaphoreSlim _writer = new(1, 1);
    private readonly SemaphoreSlim _loading = new(1, 1);
    private volatile bool _ready;
    private int _reanalysed;
    // Row ids are assigned here and never reused within a process, so a hit's row id can't name a newer chunk (see SearchAsync).
    private long _nextRowId = 1;
    private readonly System.Collections.Concurrent.ConcurrentBag<ChunkLookup> _lookups = [];

    /// <param name="embedder">The active embedder: its <see cref="ScoreFusion"/> (how much say its vectors get) sets the fusion.</param>
    public SqliteSearchIndex(SqliteDatabase database, IOptions<EmbeddingOptions> embedding, ILogger<SqliteSearchIndex> logger,
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(embedding);
        _database = database;
        _logger = logger;
        _memory = new InMemoryHybridIndex(embedding.Value.Dimensions, fusion: embedder?.GetService(typeof(ScoreFusion)) as ScoreFusion);
        EmbedderId = EmbedderIdentity.Of(embedder, embedding.Value.Dimensions);
    }

    public int Dimensions => _memory.Dimensions;

    /// <summary>Which embedder made the vectors this index serves ("model id/dimensions"); every row records the one that made
    /// its vector, and only rows made by this one are loaded. Null (no embedder known, e.g. in unit tests) = no check.</summary>
    public string? EmbedderId { get; }

    /// <summary>Chunks whose stored vector was made by another embedder (or an unrecorded one) at the last load: keyword-only
    /// until <see cref="ReembedNextDocumentAsync"/> has re-embedded them.</summary>
    public int StaleVectorsAtLoad { get; private set; }

    /// <summary>The in-memory engine that serves queries (benchmarks read per-retriever scores from it).</summary>
    internal InMemoryHybridIndex Memory => _memory;

    /// <summary>How long the start-up load took (read + analysis + index build); null before it ran.</summary>
    public TimeSpan? LoadDuration { get; private set; }

    /// <summary>Chunks the start-up load had to analyse again because their persisted terms were missing or stale.</summary>
    public int LoadReanalysedChunks => _reanalysed;

    /// <summary>The part of <see cref="LoadDuration"/> spent scanning rows from SQLite and decoding them.</summary>
    public TimeSpan? LoadReadDuration { get; private set; }

    /// <summary>Where the start-up load spent its time; null before it ran.</summary>
    public LoadPhaseTimes? LoadPhases { get; private set; }

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

            var previousLatency = GCSettings.LatencyMode;
            GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
            try
            {
                var stopwatch = Stopwatch.StartNew();
                var gcBefore = GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2);
                await using var connection = await _database.OpenAsync(cancellationToken);
                await CreateSchemaAsync(connection, cancellationToken);
                ReadVocabulary(connection);
                var vocabularyTime = stopwatch.Elapsed;
                // Rows whose terms are missing (older databases) or from another analyser version are analysed and stored once.
                _reanalysed = await MigrateTermsAsync(connection, cancellationToken);
                var migrateTime = stopwatch.Elapsed;
                var (bulk, skippedVectors) = ReadAll(connection, cancellationToken);
                var readTime = stopwatch.Elapsed;
                LoadReadDuration = readTime - migrateTime;
                _memory.LoadBulk(bulk);
                LoadDuration = stopwatch.Elapsed;
                LoadPhases = new LoadPhaseTimes(vocabularyTime, migrateTime - vocabularyTime, readTime - migrateTime, LoadDuration.Value - readTime,
                    GC.CollectionCount(0) + GC.CollectionCount(1) + GC.CollectionCount(2) - gcBefore);
                _ready = true;
                LogLoaded(_memory.ChunkCount, _memory.DocumentCount, readTime.TotalMilliseconds, LoadDuration.Value.TotalMilliseconds);
                if (skippedVectors > 0)
                {
                    LogDimensionMismatch(skippedVectors, Dimensions);
                }
            }
            finally
            {
                GCSettings.LatencyMode = previousLatency;
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
        await _writer.WaitAsync(cancellationToken);
        try
        {
            await ReplaceLockedAsync(documentId, chunks, cancellationToken);
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <summary>Re-embeds one document whose stored vectors another embedder made, with <paramref name="embedder"/> (this index's
    /// own), and swaps its chunks in place. Returns the number of chunks re-embedded, 0 when none are left. Per document and
    /// committed at once, so a crash loses at most the document in hand; a document replaced meanwhile by ingestion is left as
    /// ingestion wrote it.</summary>
    public async Task<int> ReembedNextDocumentAsync(
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> embedder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        if (EmbedderId is null)
        {
            return 0;
        }

        await EnsureReadyAsync(cancellationToken);
        var (documentId, rows) = await ReadStaleDocumentAsync(cancellationToken);
        if (documentId is null)
        {
            return 0;
        }

        var vectors = new List<ReadOnlyMemory<float>>(rows.Count);
        foreach (var slice in rows.Chunk(16))
        {
            var generated = await embedder.GenerateAsync(slice.Select(r => ChunkContext.Contextualise(r.Chunk)), cancellationToken: cancellationToken);
            vectors.AddRange(generated.Select(g => g.Vector));
        }

        await _writer.WaitAsync(cancellationToken);
        try
        {
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                await using var check = connection.CreateCommand();
                check.CommandText = "SELECT group_concat(rowid) FROM (SELECT rowid FROM search_chunks WHERE document_id = $document ORDER BY rowid)";
                check.Parameters.AddWithValue("$document", documentId);
                var current = await check.ExecuteScalarAsync(cancellationToken) as string ?? string.Empty;
                if (current != string.Join(',', rows.Select(r => r.RowId).Order()))
                {
                    return rows.Count; // Replaced or deleted meanwhile: ingestion wrote this embedder's vectors already.
                }
            }

            await ReplaceLockedAsync(documentId, rows.Select((r, i) => new IndexedChunk(r.Chunk, vectors[i])).ToArray(), cancellationToken);
            return rows.Count;
        }
        finally
        {
            _writer.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>Reads the stored float32 vectors of rows whose text hash matches and whose vector this embedder made, through
    /// the <c>text_hash</c> index; any document's rows count, so a moved or copied file reuses its vectors too.</remarks>
    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(
        string embedderId, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(embedderId);
        ArgumentNullException.ThrowIfNull(textHashes);
        var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        var keys = textHashes.Where(h => h is { Length: ChunkTextHash.Length } && h.All(char.IsAsciiHexDigit)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        if (keys.Length == 0)
        {
            return found;
        }

        await EnsureReadyAsync(cancellationToken);
        var vectorBytes = Dimensions * sizeof(float);
        await using var connection = await _database.OpenAsync(cancellationToken);
        foreach (var slice in keys.Chunk(HashesPerLookup))
        {
            await using var command = connection.CreateCommand();
            var names = new string[slice.Length];
            for (var i = 0; i < slice.Length; i++)
            {
                names[i] = "$h" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
                command.Parameters.AddWithValue(names[i], Convert.FromHexString(slice[i]));
            }

            command.CommandText = $"SELECT text_hash, vector FROM search_chunks WHERE text_hash IN ({string.Join(',', names)}) AND vector_model = $model AND length(vector) = $bytes";
            command.Parameters.AddWithValue("$model", embedderId);
            command.Parameters.AddWithValue("$bytes", vectorBytes);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                var hash = Convert.ToHexStringLower((byte[])reader.GetValue(0));
                if (!found.ContainsKey(hash))
                {
                    found[hash] = MemoryMarshal.Cast<byte, float>((byte[])reader.GetValue(1)).ToArray();
                }
            }
        }

        return found;
    }

    /// <summary>Chunks (and their vector's model) still to re-embed.</summary>
    public async Task<long> CountStaleVectorsAsync(CancellationToken cancellationToken)
    {
        if (EmbedderId is null)
        {
            return 0;
        }

        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM search_chunks WHERE vector IS NOT NULL AND vector_model IS NOT $model";
        command.Parameters.AddWithValue("$model", EmbedderId);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<(string? DocumentId, List<(long RowId, DocumentChunk Chunk)> Rows)> ReadStaleDocumentAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT document_id FROM search_chunks WHERE vector IS NOT NULL AND vector_model IS NOT $model LIMIT 1";
        command.Parameters.AddWithValue("$model", EmbedderId);
        if (await command.ExecuteScalarAsync(cancellationToken) is not string documentId)
        {
            return (null, []);
        }

        command.CommandText = """
            SELECT rowid, id, ordinal, content, title, source_path, page, heading, start_offset, end_offset, tokens, owner_ids, group_ids
            FROM search_chunks WHERE document_id = $document ORDER BY ordinal
            """;
        command.Parameters.AddWithValue("$document", documentId);
        var rows = new List<(long, DocumentChunk)>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            var chunk = new DocumentChunk(reader.GetString(1), documentId, reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10))
            {
                OwnerIds = ParseIds(reader.GetString(11)),
                GroupIds = ParseIds(reader.GetString(12)),
            };
            rows.Add((reader.GetInt64(0), chunk));
        }

        return (documentId, rows);
    }

    private async Task ReplaceLockedAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        // Analyse once: the terms are both persisted (fast restarts) and swapped into memory.
        var batch = _memory.Prepare(chunks);
        {
            var newTerms = new NewTerms(_vocabulary);
            long[] rowIds;
            using (await _database.EnterWriteAsync(cancellationToken))
            await using (var connection = await _database.OpenAsync(cancellationToken))
            {
                await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
                await DeleteRowsAsync(connection, transaction, documentId, cancellationToken);
                rowIds = await InsertRowsAsync(connection, transaction, chunks, batch, newTerms, cancellationToken);
                await newTerms.InsertAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            newTerms.Commit(_memory.Analyzer);
            // Memory keeps row ids, not content: hits read their content back from the committed rows.
            batch.AssignHandles(rowIds);

            // Committed: the in-memory swap must follow whatever the caller's token says now.
            _memory.ReplaceDocument(documentId, batch);
            LogReplaced(documentId, chunks.Count);
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
        return await SearchAndResolveAsync(query, cancellationToken);
    }

    public async Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken)
    {
        await EnsureReadyAsync(cancellationToken);
        return new IndexStats(_memory.DocumentCount, _memory.ChunkCount, Dimensions, EngineName);
    }

    public void Dispose()
    {
        _memory.Dispose();
        while (_lookups.TryTake(out var lookup))
        {
            lookup.Dispose();
        }

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
                terms BLOB NULL,
                vector_model TEXT NULL,
                text_hash BLOB NULL
            );
            CREATE INDEX IF NOT EXISTS ix_search_chunks_document ON search_chunks (document_id, ordinal);
            CREATE TABLE IF NOT EXISTS search_terms (
                id INTEGER NOT NULL PRIMARY KEY,
                term TEXT NOT NULL UNIQUE
            );
            CREATE TABLE IF NOT EXISTS search_meta (
                key TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
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

        // Databases created before vectors recorded their embedder: those vectors count as made by an unknown one (re-embedded).
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('search_chunks') WHERE name = 'vector_model'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = "ALTER TABLE search_chunks ADD COLUMN vector_model TEXT NULL";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        // Databases created before the vector cache: their rows have no text hash and miss until their document is re-ingested.
        command.CommandText = "SELECT COUNT(*) FROM pragma_table_info('search_chunks') WHERE name = 'text_hash'";
        if (Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture) == 0)
        {
            command.CommandText = "ALTER TABLE search_chunks ADD COLUMN text_hash BLOB NULL";
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        command.CommandText = "CREATE INDEX IF NOT EXISTS ix_search_chunks_text_hash ON search_chunks (text_hash) WHERE text_hash IS NOT NULL";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private void ReadVocabulary(SqliteConnection connection)
    {
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, "SELECT id, term FROM search_terms", out var statement));
        using (statement)
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                _vocabulary.Add(raw.sqlite3_column_int(statement, 0), Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, 1)), _memory.Analyzer);
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(db, rc);
            }
        }
    }

    /// <summary>Scans the columns ranking needs (not content or display metadata: hits fetch those by row id) with the raw
    /// SQLite API, so blobs are read in place as spans and copied straight into the bulk arrays without per-row allocations.</summary>
    private (BulkChunks Bulk, int SkippedVectors) ReadAll(SqliteConnection connection, CancellationToken cancellationToken)
    {
        var vocabulary = _vocabulary;
        var extraTerms = new List<string>();
        var extraKeys = new Dictionary<string, int>(StringComparer.Ordinal);
        string TermOf(int key) => key >= 0 ? vocabulary.TermOf(key) : extraTerms[~key];
        var capacity = (int)Scalar(connection, "SELECT COUNT(*) FROM search_chunks");
        var bulk = new BulkChunks(Dimensions, TermOf, capacity);
        var skipped = 0;
        var stale = 0;
        var expectedModel = EmbedderId is null ? null : Encoding.UTF8.GetBytes(EmbedderId);
        var vectorBytes = Dimensions * sizeof(float);
        var documentId = string.Empty;
        var documentBytes = new byte[256];
        var documentLength = -1;
        string? ownersJson = null, groupsJson = null;
        ChunkAccess? access = null;
        long maxRowId = 0;

        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, "SELECT rowid, document_id, owner_ids, group_ids, vector, terms, vector_model FROM search_chunks ORDER BY document_id, ordinal", out var statement));
        using (statement)
        {
            int rc;
            while ((rc = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var rowId = raw.sqlite3_column_int64(statement, 0);
                maxRowId = Math.Max(maxRowId, rowId);
                var documentUtf8 = raw.sqlite3_column_blob(statement, 1);
                if (documentLength < 0 || !documentUtf8.SequenceEqual(documentBytes.AsSpan(0, documentLength)))
                {
                    documentId = Encoding.UTF8.GetString(documentUtf8);
                    if (documentUtf8.Length > documentBytes.Length)
                    {
                        documentBytes = new byte[documentUtf8.Length * 2];
                    }

                    documentUtf8.CopyTo(documentBytes);
                    documentLength = documentUtf8.Length;
                }

                // Access lists are nearly always "[]" or shared by a document's chunks: parse only when they change.
                var owners = raw.sqlite3_column_blob(statement, 2);
                var groups = raw.sqlite3_column_blob(statement, 3);
                if (!Utf8Equals(owners, ownersJson) || !Utf8Equals(groups, groupsJson))
                {
                    ownersJson = Encoding.UTF8.GetString(owners);
                    groupsJson = Encoding.UTF8.GetString(groups);
                    var ownerIds = ParseIds(ownersJson);
                    var groupIds = ParseIds(groupsJson);
                    access = ownerIds.Count == 0 && groupIds.Count == 0 ? null : new ChunkAccess(ownerIds, groupIds);
                }

                var vector = raw.sqlite3_column_blob(statement, 4);
                var hasVector = vector.Length == vectorBytes;
                if (hasVector && expectedModel is not null && !raw.sqlite3_column_blob(statement, 6).SequenceEqual(expectedModel))
                {
                    // Made by another embedder: never mixed with this one's vectors; keyword-only until re-embedded.
                    hasVector = false;
                    stale++;
                }

                if (!hasVector && raw.sqlite3_column_type(statement, 4) != raw.SQLITE_NULL)
                {
                    // Stored with another embedding size (configuration changed): keyword-only until re-ingested.
                    skipped++;
                }

                var terms = raw.sqlite3_column_blob(statement, 5);
                if (TermsBlob.IsUsable(terms, vocabulary))
                {
                    bulk.Add(documentId, rowId, access, TermsBlob.LengthOf(terms), TermsBlob.CountOf(terms), hasVector, out var keys, out var frequencies, out var target);
                    TermsBlob.DecodeInto(terms, keys, frequencies);
                    if (hasVector)
                    {
                        vector.CopyTo(MemoryMarshal.AsBytes(target));
                    }
                }
                else
                {
                    // Left unusable after migration (malformed, or naming an id the vocabulary lacks): analyse the text now.
                    var analysed = _memory.Analyzer.AnalyzeForIndex(ReadContent(connection, rowId));
                    Interlocked.Increment(ref _reanalysed);
                    bulk.Add(documentId, rowId, access, analysed.Length, analysed.Terms.Length, hasVector, out var keys, out var frequencies, out var target);
                    for (var i = 0; i < analysed.Terms.Length; i++)
                    {
                        var term = analysed.Terms[i];
                        if (!vocabulary.TryGetId(term, out var key) && !extraKeys.TryGetValue(term, out key))
                        {
                            key = ~extraTerms.Count;
                            extraTerms.Add(term);
                            extraKeys.Add(term, key);
                        }

                        keys[i] = key;
                        frequencies[i] = analysed.Frequencies[i];
                    }

                    if (hasVector)
                    {
                        vector.CopyTo(MemoryMarshal.AsBytes(target));
                    }
                }

                if ((bulk.Count & 4095) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }
            }

            if (rc != raw.SQLITE_DONE)
            {
                Check(db, rc);
            }
        }

        _nextRowId = Math.Max(_nextRowId, Math.Max(maxRowId, Scalar(connection, "SELECT IFNULL(MAX(rowid), 0) FROM search_chunks")) + 1);
        StaleVectorsAtLoad = stale;
        return (bulk, skipped);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string? text) =>
        text is not null && utf8.Length == text.Length && Ascii.Equals(utf8, text);

    private static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string ReadContent(SqliteConnection connection, long rowId)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT title, heading, content FROM search_chunks WHERE rowid = $row";
        command.Parameters.AddWithValue("$row", rowId);
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? ChunkContext.Contextualise(reader.GetString(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.GetString(2))
            : string.Empty;
    }

    private static void Check(sqlite3 db, int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            throw new SqliteException(raw.sqlite3_errmsg(db).utf8_to_string(), rc);
        }
    }

    private static async Task DeleteRowsAsync(SqliteConnection connection, SqliteTransaction transaction, string documentId, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "DELETE FROM search_chunks WHERE document_id = $document";
        command.Parameters.AddWithValue("$document", documentId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Inserts the rows under fresh row ids (returned, aligned with <paramref name="chunks"/>); terms the vocabulary
    /// lacks are collected in <paramref name="newTerms"/>.</summary>
    private async Task<long[]> InsertRowsAsync(SqliteConnection connection, SqliteTransaction transaction,
        IReadOnlyList<IndexedChunk> chunks, InMemoryHybridIndex.PreparedBatch batch, NewTerms newTerms, CancellationToken cancellationToken)
    {
        var rowIds = new long[chunks.Count];
        if (chunks.Count == 0)
        {
            return rowIds;
        }

        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"""
            INSERT OR REPLACE INTO search_chunks (rowid, {Columns})
            VALUES ($rowid, $id, $document, $ordinal, $content, $title, $source, $page, $heading, $start, $end, $tokens, $owners, $groups, $vector, $terms, $model, $hash)
            """;
        string[] names = ["$rowid", "$id", "$document", "$ordinal", "$content", "$title", "$source", "$page", "$heading", "$start", "$end", "$tokens", "$owners", "$groups", "$vector", "$terms", "$model", "$hash"];
        var parameters = names.Select(name => command.Parameters.Add(new SqliteParameter { ParameterName = name })).ToArray();
        for (var index = 0; index < chunks.Count; index++)
        {
            var item = chunks[index];
            var c = item.Chunk;
            rowIds[index] = _nextRowId++;
            object?[] values =
            [
                rowIds[index], c.Id, c.DocumentId, c.Ordinal, c.Content, c.Title, c.SourcePath, c.Page, c.Heading, c.StartOffset, c.EndOffset, c.TokenCount,
                JsonSerializer.Serialize(c.OwnerIds), JsonSerializer.Serialize(c.GroupIds),
                item.Vector.IsEmpty ? null : MemoryMarshal.AsBytes(item.Vector.Span).ToArray(),
                TermsBlob.Encode(batch.TermsOf(index), newTerms.IdOf),
                item.Vector.IsEmpty ? null : EmbedderId,
                // Only a vector with a known maker can be reused; the key is the exact text that was embedded.
                item.Vector.IsEmpty || EmbedderId is null ? null : Convert.FromHexString(ChunkTextHash.Of(c)),
            ];
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i] ?? DBNull.Value;
            }

            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return rowIds;
    }

    /// <summary>Analyses and stores the terms of rows that lack usable ones (databases written before terms were persisted, or
    /// by another analyser version), in batches, so the load that follows decodes every row and later loads never analyse.</summary>
    private async Task<int> MigrateTermsAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        const int batchSize = 2048;
        var version = new byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(version, TextAnalyzer.Version);
        var marker = TextAnalyzer.Version.ToString(System.Globalization.CultureInfo.InvariantCulture);
        await using (var check = connection.CreateCommand())
        {
            // Every write stores terms of the current analyser, so once a migration has finished the scan below finds nothing.
            check.CommandText = "SELECT value FROM search_meta WHERE key = 'terms_version'";
            if (await check.ExecuteScalarAsync(cancellationToken) is string done && done == marker)
            {
                return 0;
            }
        }

        var migrated = 0;
        while (true)
        {
            var rows = new List<(long RowId, string Text)>(batchSize);
            await using (var select = connection.CreateCommand())
            {
                select.CommandText = $"SELECT rowid, title, heading, content FROM search_chunks WHERE terms IS NULL OR length(terms) < 12 OR substr(terms, 1, 4) <> $version LIMIT {batchSize}";
                select.Parameters.AddWithValue("$version", version);
                await using var reader = await select.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    // Keyword terms cover the chunk's context (title, heading) as well as its text, as at ingestion.
                    rows.Add((reader.GetInt64(0), ChunkContext.Contextualise(reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetString(3))));
                }
            }

            if (rows.Count == 0)
            {
                await using var mark = connection.CreateCommand();
                mark.CommandText = "INSERT OR REPLACE INTO search_meta (key, value) VALUES ('terms_version', $version)";
                mark.Parameters.AddWithValue("$version", marker);
                await mark.ExecuteNonQueryAsync(cancellationToken);
                return migrated;
            }

            var analysed = new DocumentTerms[rows.Count];
            Parallel.For(0, rows.Count, i => analysed[i] = _memory.Analyzer.AnalyzeForIndex(rows[i].Text));
            var newTerms = new NewTerms(_vocabulary);
            await using (var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken))
            {
                await using var update = connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = "UPDATE search_chunks SET terms = $terms WHERE rowid = $row";
                var terms = update.Parameters.Add(new SqliteParameter { ParameterName = "$terms" });
                var row = update.Parameters.Add(new SqliteParameter { ParameterName = "$row" });
                for (var i = 0; i < rows.Count; i++)
                {
                    terms.Value = TermsBlob.Encode(analysed[i], newTerms.IdOf);
                    row.Value = rows[i].RowId;
                    await update.ExecuteNonQueryAsync(cancellationToken);
                }

                await newTerms.InsertAsync(connection, transaction, cancellationToken);
                await transaction.CommitAsync(cancellationToken);
            }

            newTerms.Commit(_memory.Analyzer);
            migrated += rows.Count;
            LogMigrated(migrated);
        }
    }

    /// <summary>Ranks in memory, then reads the hits' rows by row id.</summary>
    private async Task<IReadOnlyList<SearchHit>> SearchAndResolveAsync(HybridQuery query, CancellationToken cancellationToken)
    {
        if (!_lookups.TryTake(out var lookup))
        {
            lookup = new ChunkLookup(await _database.OpenAsync(cancellationToken));
        }

        try
        {
            for (var attempt = 0; ; attempt++)
            {
                var ranked = _memory.SearchRanked(query);
                var hits = new List<SearchHit>(ranked.Count);
                var complete = true;
                foreach (var r in ranked)
                {
                    var chunk = r.Chunk ?? (r.Handle >= 0 ? lookup.Read(r.Handle) : null);
                    if (chunk is null)
                    {
                        complete = false;
                        continue;
                    }

                    hits.Add(new SearchHit(chunk, r.Score, r.FoundBy, r.KeywordRank, r.VectorRank));
                }

                if (complete || attempt >= 4)
                {
                    return hits;
                }

                // A write committed after the ranking removed a hit's row; its in-memory swap follows under the writer lock.
                // Wait for it and rank again, so the caller sees a document's old or new chunks, never a partial set.
                await _writer.WaitAsync(cancellationToken);
                _writer.Release();
            }
        }
        finally
        {
            _lookups.Add(lookup);
        }
    }

    private static IReadOnlyList<string> ParseIds(string json) =>
        json is "[]" or "" ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index loaded {ChunkCount} chunks of {DocumentCount} documents from SQLite (read {ReadMs:F0} ms, total {TotalMs:F0} ms)")]
    private partial void LogLoaded(int chunkCount, int documentCount, double readMs, double totalMs);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} stored vectors do not have {Dimensions} dimensions; those chunks are keyword-only until their documents are re-ingested")]
    private partial void LogDimensionMismatch(int count, int dimensions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Search index: stored analysed terms for {Count} chunks that lacked them (one-time migration)")]
    private partial void LogMigrated(int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Indexed {ChunkCount} chunks of document {DocumentId}")]
    private partial void LogReplaced(string documentId, int chunkCount);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Removed document {DocumentId} from the search index")]
    private partial void LogDeleted(string documentId);

    /// <summary>Vocabulary ids for terms not yet persisted: allocated inside a write transaction, remembered once it commits.</summary>
    private sealed class NewTerms(TermVocabulary vocabulary)
    {
        private readonly Dictionary<string, int> _pending = new(StringComparer.Ordinal);
        private readonly List<(int Id, string Term)> _added = [];

        public int IdOf(string term)
        {
            if (vocabulary.TryGetId(term, out var id) || _pending.TryGetValue(term, out id))
            {
                return id;
            }

            id = vocabulary.NextId + _pending.Count;
            _pending.Add(term, id);
            _added.Add((id, term));
            return id;
        }

        public async Task InsertAsync(SqliteConnection connection, SqliteTransaction transaction, CancellationToken cancellationToken)
        {
            if (_added.Count == 0)
            {
                return;
            }

            await using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "INSERT INTO search_terms (id, term) VALUES ($id, $term)";
            var id = command.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            var term = command.Parameters.Add(new SqliteParameter { ParameterName = "$term" });
            foreach (var (termId, text) in _added)
            {
                id.Value = termId;
                term.Value = text;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }

        public void Commit(TextAnalyzer analyzer)
        {
            foreach (var (id, term) in _added)
            {
                vocabulary.Add(id, term, analyzer);
            }
        }
    }

    /// <summary>A connection with a prepared point look-up of a chunk by row id; pooled per concurrent query.</summary>
    private sealed class ChunkLookup : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _row;

        public ChunkLookup(SqliteConnection connection)
        {
            _connection = connection;
            _command = connection.CreateCommand();
            _command.CommandText = "SELECT id, document_id, ordinal, content, title, source_path, page, heading, start_offset, end_offset, tokens, owner_ids, group_ids FROM search_chunks WHERE rowid = $row";
            _row = _command.Parameters.Add(new SqliteParameter { ParameterName = "$row", SqliteType = SqliteType.Integer });
            _command.Prepare();
        }

        public DocumentChunk? Read(long rowId)
        {
            _row.Value = rowId;
            using var reader = _command.ExecuteReader();
            if (!reader.Read())
            {
                return null;
            }

            return new DocumentChunk(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetInt32(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.GetInt32(8), reader.GetInt32(9), reader.GetInt32(10))
            {
                OwnerIds = ParseIds(reader.GetString(11)),
                GroupIds = ParseIds(reader.GetString(12)),
            };
        }

        public void Dispose()
        {
            _command.Dispose();
            _connection.Dispose();
        }
    }
}

/// <summary>Where a start-up load spent its time: vocabulary read, one-time term migration, row scan + decode, index build;
/// and how many garbage collections ran meanwhile.</summary>
public sealed record LoadPhaseTimes(TimeSpan Vocabulary, TimeSpan Migration, TimeSpan Scan, TimeSpan Build, int Collections);
