using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Retrieval;
using RagFunctions.Local.Storage;
using RagFunctions.Local.Tests.Hosting;
using RagFunctions.Local.Tests.Storage;

namespace RagFunctions.Local.Tests.Retrieval;

public sealed class SqliteSearchIndexTests : IDisposable
{
    private const int Dimensions = 16;
    private readonly TempDataDirectory _temp = new("index");

    public void Dispose() => _temp.Dispose();

    private SqliteSearchIndex Open() => new(
        new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _temp.Path })),
        Options.Create(new EmbeddingOptions { Dimensions = Dimensions }),
        NullLogger<SqliteSearchIndex>.Instance);

    private static float[] Vector(int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, Dimensions).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
    }

    private static IndexedChunk Chunk(string documentId, int ordinal, string content, int? page = null, string? heading = null,
        IReadOnlyList<string>? owners = null) =>
        new(new DocumentChunk(DocumentChunk.MakeId(documentId, ordinal), documentId, ordinal, content, "Title " + documentId,
            $"docs/{documentId}.pdf", page, heading, ordinal * 100, ordinal * 100 + content.Length, content.Length / 4)
        {
            OwnerIds = owners ?? [],
        }, Vector(documentId.Sum(c => c) * 31 + ordinal));

    private static readonly HybridQuery[] Queries =
    [
        new("battery charging", Vector(1), Top: 5),
        new("orchard", ReadOnlyMemory<float>.Empty, Top: 5),
        new("", Vector(2), Top: 3),
        new("engine oil", Vector(3), Top: 10, new SearchFilter(PrincipalIds: [])),
    ];

    private static async Task SeedAsync(SqliteSearchIndex index)
    {
        await index.ReplaceDocumentChunksAsync("fruit", [
            Chunk("fruit", 0, "Apples and pears grow in the orchard near the river.", page: 1, heading: "Orchard"),
            Chunk("fruit", 1, "Bananas grow in warm climates and are shipped green.", page: 2),
        ], CancellationToken.None);
        await index.ReplaceDocumentChunksAsync("cars", [
            Chunk("cars", 0, "The engine of the car needs oil and a new battery."),
            Chunk("cars", 1, "Electric cars charge their battery overnight; charging takes hours.", owners: ["alice"]),
            Chunk("cars", 2, "Engine oil should be changed every year."),
        ], CancellationToken.None);
    }

    private static async Task<List<string>> RunAsync(SqliteSearchIndex index)
    {
        var lines = new List<string>();
        foreach (var query in Queries)
        {
            foreach (var hit in await index.SearchAsync(query, CancellationToken.None))
            {
                var c = hit.Chunk;
                lines.Add($"{c.Id}|{hit.Score:R}|{hit.FoundBy}|{hit.KeywordRank}|{hit.VectorRank}|{c.Content}|{c.Title}|{c.SourcePath}|{c.Page}|{c.Heading}|{c.StartOffset}|{c.EndOffset}|{c.TokenCount}|{string.Join(',', c.OwnerIds)}");
            }

            lines.Add("--");
        }

        return lines;
    }

    [Fact]
    public async Task A_new_instance_on_the_same_file_returns_the_same_results()
    {
        List<string> before;
        using (var index = Open())
        {
            await index.EnsureReadyAsync(CancellationToken.None);
            await SeedAsync(index);
            before = await RunAsync(index);
        }

        using var reopened = Open();
        var after = await RunAsync(reopened);
        Assert.Equal(0, reopened.LoadReanalysedChunks);

        Assert.Contains(before, l => l.StartsWith("fruit-0|", StringComparison.Ordinal) && l.Contains("|1|Orchard|", StringComparison.Ordinal));
        Assert.Contains(before, l => l.EndsWith("|alice", StringComparison.Ordinal));
        Assert.Equal(before, after);
        var stats = await reopened.GetStatsAsync(CancellationToken.None);
        Assert.Equal(new IndexStats(2, 5, Dimensions, "local-bm25-int8-rrf"), stats);
    }

    [Fact]
    public async Task Rows_without_persisted_terms_are_analysed_at_load_with_the_same_results()
    {
        var (before, rowsChanged) = await SeedThenAlterDatabaseAsync("UPDATE search_chunks SET terms = NULL");
        Assert.Equal(5, rowsChanged);

        using var reopened = Open();
        Assert.Equal(before, await RunAsync(reopened));
        Assert.Equal(5, reopened.LoadReanalysedChunks);
    }

    [Fact]
    public async Task A_database_from_before_persisted_terms_is_migrated_once()
    {
        // The older layout: no terms, no vocabulary, no migration marker.
        var (before, _) = await SeedThenAlterDatabaseAsync("UPDATE search_chunks SET terms = NULL; DELETE FROM search_terms; DROP TABLE search_meta;");

        using (var migrated = Open())
        {
            Assert.Equal(before, await RunAsync(migrated));
            Assert.Equal(5, migrated.LoadReanalysedChunks);
        }

        SqliteConnection.ClearAllPools();
        using var reopened = Open();
        Assert.Equal(before, await RunAsync(reopened));
        Assert.Equal(0, reopened.LoadReanalysedChunks);
    }

    [Fact]
    public async Task Terms_of_an_older_analyser_version_are_recomputed_once()
    {
        // As a database written before TextAnalyzer.Version last changed: every blob and the marker name the previous version.
        var previous = TextAnalyzer.Version - 1;
        var (before, rowsChanged) = await SeedThenAlterDatabaseAsync(
            $"UPDATE search_chunks SET terms = X'{previous:x2}000000' || substr(terms, 5); " +
            $"INSERT OR REPLACE INTO search_meta (key, value) VALUES ('terms_version', '{previous}');");
        Assert.Equal(5 + 1, rowsChanged); // five chunks and the marker

        using (var migrated = Open())
        {
            Assert.Equal(before, await RunAsync(migrated));
        }

        SqliteConnection.ClearAllPools();
        await using (var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, "ragfunctions.db")}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM search_chunks WHERE substr(terms, 1, 4) = $version";
            var version = new byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(version, TextAnalyzer.Version);
            command.Parameters.AddWithValue("$version", version);
            Assert.Equal(5L, await command.ExecuteScalarAsync());
        }

        SqliteConnection.ClearAllPools();
        using var reopened = Open();
        Assert.Equal(before, await RunAsync(reopened));
        Assert.Equal(0, reopened.LoadReanalysedChunks);
    }

    [Fact]
    public async Task Searches_during_replaces_see_all_old_or_all_new_chunks_with_their_content()
    {
        using var index = Open();
        await index.ReplaceDocumentChunksAsync("doc", Generation(0), CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var generation = 1; generation <= 30; generation++)
            {
                await index.ReplaceDocumentChunksAsync("doc", Generation(generation), CancellationToken.None);
            }
        });

        var searches = 0;
        while (!writer.IsCompleted || searches < 50)
        {
            var hits = await index.SearchAsync(new HybridQuery("zebra", ReadOnlyMemory<float>.Empty, Top: 10), CancellationToken.None);
            Assert.Equal(3, hits.Count);
            var generations = hits.Select(h => h.Chunk.Content.Split(' ')[^1]).Distinct().ToList();
            Assert.Single(generations);
            searches++;
        }

        await writer;

        static IndexedChunk[] Generation(int generation) =>
            Enumerable.Range(0, 3).Select(o => Chunk("doc", o, $"zebra stripes number {o} generation g{generation}")).ToArray();
    }

    [Fact]
    public async Task Replace_and_delete_are_durable()
    {
        using (var index = Open())
        {
            await SeedAsync(index);
            await index.ReplaceDocumentChunksAsync("fruit", [Chunk("fruit", 0, "Only cherries remain.")], CancellationToken.None);
            await index.DeleteDocumentAsync("cars", CancellationToken.None);
            await index.DeleteDocumentAsync("never-existed", CancellationToken.None);
        }

        using var reopened = Open();
        // "cherries" entered the vocabulary in a later write than the seed; it must still be found after restart.
        Assert.Equal(["fruit-0"], (await reopened.SearchAsync(new HybridQuery("cherries", ReadOnlyMemory<float>.Empty), CancellationToken.None)).Select(h => h.Chunk.Id));
        var hits = await reopened.SearchAsync(new HybridQuery("bananas cherries engine", Vector(9), Top: 10), CancellationToken.None);
        Assert.Equal(0, reopened.LoadReanalysedChunks);

        Assert.Equal(["fruit-0"], hits.Select(h => h.Chunk.Id));
        Assert.Equal("Only cherries remain.", hits[0].Chunk.Content);
        Assert.Equal(new IndexStats(1, 1, Dimensions, "local-bm25-int8-rrf"), await reopened.GetStatsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Invalid_writes_change_nothing_and_invalid_queries_are_validation_problems()
    {
        using var index = Open();
        await SeedAsync(index);

        await Assert.ThrowsAsync<ArgumentException>(() => index.ReplaceDocumentChunksAsync("fruit",
            [new IndexedChunk(Chunk("fruit", 0, "x").Chunk, new float[3])], CancellationToken.None));
        await Assert.ThrowsAsync<ValidationProblemException>(() => index.SearchAsync(new HybridQuery("x", ReadOnlyMemory<float>.Empty, Top: 0), CancellationToken.None));
        await Assert.ThrowsAsync<ValidationProblemException>(() => index.SearchAsync(new HybridQuery("x", new float[3]), CancellationToken.None));

        using var reopened = Open();
        Assert.Equal(5, (await reopened.GetStatsAsync(CancellationToken.None)).ChunkCount);
    }

    [Fact]
    public async Task The_local_host_serves_the_sqlite_index()
    {
        await using var host = new LocalHostFactory(new Dictionary<string, string?> { ["RagFunctions:Embedding:Dimensions"] = "16", ["RagFunctions:Embedding:Model"] = "lexical" });
        using var client = host.CreateWriterClient();

        var index = host.Services.GetRequiredService<ISearchIndex>();

        Assert.IsType<SqliteSearchIndex>(index);
        Assert.Equal(new IndexStats(0, 0, 16, "local-bm25-int8-rrf"), await index.GetStatsAsync(CancellationToken.None));
    }

    /// <summary>Seeds the index, records the query results, then changes the database file behind the index's back.</summary>
    private async Task<(List<string> Before, int RowsChanged)> SeedThenAlterDatabaseAsync(string sql)
    {
        List<string> before;
        using (var index = Open())
        {
            await SeedAsync(index);
            before = await RunAsync(index);
        }

        SqliteConnection.ClearAllPools();
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_temp.Path, "ragfunctions.db")}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (before, await command.ExecuteNonQueryAsync());
    }
}
