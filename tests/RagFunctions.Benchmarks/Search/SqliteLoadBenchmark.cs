using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Embedding;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Retrieval;
using RagFunctions.Local.Storage;

namespace RagFunctions.Benchmarks.Search;

/// <summary><c>sqlite-load</c>: writes a corpus through <see cref="SqliteSearchIndex"/>, then measures a fresh instance's start-up load.</summary>
internal static class SqliteLoadBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var dimensions = args.Int("dims", 384);
        var data = args.Optional("data") ?? Path.Combine(Path.GetTempPath(), "ragfunctions-bench", Guid.NewGuid().ToString("N"));
        // --reuse: measure the load of an existing database from an earlier run (same --data) without embedding or writing again.
        var reuse = args.Optional("reuse") is not null && File.Exists(Path.Combine(data, "ragfunctions.db"));
        List<IndexedChunk>? chunks = null;
        if (!reuse)
        {
            var lines = BenchCorpus.ReadLines(args.Required("corpus"), args.Int("limit", int.MaxValue));
            using var embedder = BenchEmbedder.Create(dimensions, args.Optional("embedder") ?? "lexical");
            chunks = BenchCorpus.ToChunks(lines, await BenchEmbedder.EmbedAllAsync(embedder, lines));
        }

        SqliteSearchIndex Open() => new(
            new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = data })),
            Options.Create(new EmbeddingOptions { Dimensions = dimensions }),
            NullLogger<SqliteSearchIndex>.Instance);

        var stopwatch = Stopwatch.StartNew();
        using (var writer = reuse ? null : Open())
        {
            foreach (var document in reuse ? [] : chunks!.Chunk(BenchCorpus.ChunksPerDocument))
            {
                await writer!.ReplaceDocumentChunksAsync(document[0].Chunk.DocumentId, document, CancellationToken.None);
            }
        }

        var writeMs = stopwatch.Elapsed.TotalMilliseconds;
        var file = new FileInfo(Path.Combine(data, "ragfunctions.db"));
        chunks = null;
        SqliteConnection.ClearAllPools();
        GC.Collect();

        stopwatch.Restart();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        using var reader = Open();
        await reader.EnsureReadyAsync(CancellationToken.None);
        var loadMs = stopwatch.Elapsed.TotalMilliseconds;
        var loadCpuMs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
        var stats = await reader.GetStatsAsync(CancellationToken.None);

        var phases = reader.LoadPhases;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"n={stats.ChunkCount} write_ms={writeMs:F0} load_ms={loadMs:F0} load_read_ms={reader.LoadReadDuration?.TotalMilliseconds:F0} load_cpu_ms={loadCpuMs:F0} reanalysed={reader.LoadReanalysedChunks} load_avg={LoadAverage()} db_mb={file.Length / 1048576.0:F0} data={data}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"phases: vocabulary_ms={phases?.Vocabulary.TotalMilliseconds:F0} migration_ms={phases?.Migration.TotalMilliseconds:F0} scan_ms={phases?.Scan.TotalMilliseconds:F0} build_ms={phases?.Build.TotalMilliseconds:F0} gcs={phases?.Collections} managed_mb={GC.GetTotalMemory(true) / 1048576} {Rss()}"));

        // --queries FILE: hybrid query latency through the durable index (ranking in memory, hit content read back from SQLite).
        if (args.Optional("queries") is { } queriesPath)
        {
            var top = args.Int("top", 10);
            var queries = BenchCorpus.ReadLines(queriesPath, int.MaxValue);
            using var embedder = BenchEmbedder.Create(dimensions, args.Optional("embedder") ?? "lexical");
            var timings = new List<double>(queries.Count);
            var withEmbedding = new List<double>(queries.Count);
            for (var pass = 0; pass < 2; pass++)
            {
                timings.Clear();
                withEmbedding.Clear();
                for (var i = 0; i < queries.Count; i++)
                {
                    var start = Stopwatch.GetTimestamp();
                    var vector = (await embedder.GenerateAsync([queries[i]], EmbeddingInput.ForQuery()))[0].Vector;
                    var embedded = Stopwatch.GetTimestamp();
                    await reader.SearchAsync(new HybridQuery(queries[i], vector, top), CancellationToken.None);
                    timings.Add(Stopwatch.GetElapsedTime(embedded).TotalMilliseconds);
                    withEmbedding.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
                }
            }

            timings.Sort();
            withEmbedding.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"sqlite_hybrid queries={queries.Count} top={top} p50_ms={BenchCorpus.Percentile(timings, 0.50):F2} p95_ms={BenchCorpus.Percentile(timings, 0.95):F2} p99_ms={BenchCorpus.Percentile(timings, 0.99):F2} (query embedding excluded) incl_embedding_p50_ms={BenchCorpus.Percentile(withEmbedding, 0.50):F2} incl_embedding_p95_ms={BenchCorpus.Percentile(withEmbedding, 0.95):F2} load_avg={LoadAverage()} {Rss()}"));
        }

        return 0;
    }

    /// <summary>Resident set after a full collection (with <c>--reuse</c> the process has only loaded the index, so this is
    /// what a started host holds for its ranking data), and its peak.</summary>
    public static string Rss()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        using var process = Process.GetCurrentProcess();
        return string.Create(CultureInfo.InvariantCulture, $"rss_mb={process.WorkingSet64 / 1048576} peak_rss_mb={process.PeakWorkingSet64 / 1048576}");
    }

    /// <summary>The machine's 1-minute load average (Linux), so contended measurements can be recognised.</summary>
    public static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
