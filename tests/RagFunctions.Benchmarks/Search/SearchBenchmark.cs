using System.Diagnostics;
using System.Globalization;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Embedding;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Benchmarks.Search;

/// <summary><c>search</c>: builds the in-memory hybrid index over a corpus and measures query latency (one query at a time).</summary>
internal static class SearchBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var top = args.Int("top", 10);
        var dimensions = args.Int("dims", 384);
        var lines = BenchCorpus.ReadLines(args.Required("corpus"), args.Int("limit", int.MaxValue));
        var queries = BenchCorpus.ReadLines(args.Required("queries"), int.MaxValue);
        using var embedder = BenchEmbedder.Create(dimensions, args.Optional("embedder"));
        var model = (embedder.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)) as Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)?.DefaultModelId;

        // --doc-embedder NAME: document vectors from another embedder of the same dimensions. Only for latency at scale: the
        // int8 scan costs the same whatever the vectors hold, so a 100k-chunk latency figure for a neural query embedder does
        // not need 100k neural document embeddings (~70 CPU-minutes here); rankings from mixed models mean nothing.
        using var documentEmbedder = args.Optional("doc-embedder") is { } documentEmbedderName ? BenchEmbedder.Create(dimensions, documentEmbedderName) : null;
        var stopwatch = Stopwatch.StartNew();
        var (vectors, cached) = await BenchEmbedder.EmbedAllCachedAsync(documentEmbedder ?? embedder, lines, args.Required("corpus"), dimensions);
        var embedMs = stopwatch.Elapsed.TotalMilliseconds;
        var chunks = BenchCorpus.ToChunks(lines, vectors);
        vectors = null;

        GC.Collect();
        stopwatch.Restart();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        using var index = new InMemoryHybridIndex(dimensions, fusion: embedder.GetService(typeof(ScoreFusion)) as ScoreFusion);
        index.Load(chunks);
        var buildMs = stopwatch.Elapsed.TotalMilliseconds;
        var buildCpuMs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
        chunks = null;
        GC.Collect();

        async Task<ReadOnlyMemory<float>> EmbedQueryAsync(string q) =>
            (await embedder.GenerateAsync([q], RagFunctions.Core.Ingestion.Embedding.EmbeddingInput.ForQuery()))[0].Vector;

        var queryEmbed = await MeasureAsync(queries, async q => (await EmbedQueryAsync(q)).Length > 0 ? 1 : 0);
        var hybrid = await MeasureAsync(queries, async q => index.Search(new HybridQuery(q, await EmbedQueryAsync(q), top)).Count);
        var keyword = await MeasureAsync(queries, q => Task.FromResult(index.SearchKeyword(q, top).Count));
        var vector = await MeasureAsync(queries, async q => index.SearchVector(await EmbedQueryAsync(q), top).Count);

        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture,
            $"n={lines.Count} build_ms={buildMs:F0} p50_ms={hybrid.P50:F2} p95_ms={hybrid.P95:F2} query_embed_p50_ms={queryEmbed.P50:F2} query_embed_p95_ms={queryEmbed.P95:F2} embedder={model}"));
        Console.WriteLine(string.Create(culture, $"keyword_p50_ms={keyword.P50:F2} keyword_p95_ms={keyword.P95:F2}"));
        Console.WriteLine(string.Create(culture, $"vector_p50_ms={vector.P50:F2} vector_p95_ms={vector.P95:F2} (incl. query embedding)"));
        Console.WriteLine(string.Create(culture,
            $"queries={queries.Count} top={top} dims={dimensions} doc_embedder={(documentEmbedder?.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)) as Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)?.DefaultModelId ?? model} embed_ms={embedMs:F0} vectors_cached={cached} build_cpu_ms={buildCpuMs:F0} load_avg={SqliteLoadBenchmark.LoadAverage()} hybrid_p99_ms={hybrid.P99:F2} hybrid_mean_hits={hybrid.MeanHits:F1} managed_mb={GC.GetTotalMemory(true) / 1048576}"));
        return 0;
    }

    private static async Task<(double P50, double P95, double P99, double MeanHits)> MeasureAsync(IReadOnlyList<string> queries, Func<string, Task<int>> run)
    {
        // Warm-up: every query once (JIT, caches), then the measured pass.
        foreach (var query in queries)
        {
            await run(query);
        }

        var timings = new List<double>(queries.Count);
        long hits = 0;
        foreach (var query in queries)
        {
            var start = Stopwatch.GetTimestamp();
            hits += await run(query);
            timings.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        timings.Sort();
        return (BenchCorpus.Percentile(timings, 0.50), BenchCorpus.Percentile(timings, 0.95), BenchCorpus.Percentile(timings, 0.99),
            queries.Count == 0 ? 0 : (double)hits / queries.Count);
    }
}
