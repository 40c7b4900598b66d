using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Ingest;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Storage;

namespace RagFunctions.Benchmarks.Eval;

/// <summary><c>eval</c>: retrieval quality on a judged test collection through the local host's real pipeline. Each document
/// becomes a Markdown file (<c># title</c>, blank line, text) in a fresh drop folder and is ingested as a user's file would be
/// (extraction → chunking → embedding → SQLite + in-memory index); each query runs keyword-only, vector-only and hybrid through
/// <see cref="ISearchIndex"/>, and against SQLite FTS5 over the same chunks (each query word once, the baseline; and once per occurrence,
/// "fts5-bm25-qtf", as the product weighs repeated words). Chunk hits collapse to their document (first
/// occurrence), then nDCG@10, MRR@10 and Recall@10 are averaged over the judged queries.</summary>
internal static class EvalBenchmark
{
    private const int Cutoff = 10;
    private const int ChunkDepth = 100;

    /// <param name="output">Where the summary line and the table go (the console by default).</param>
    public static async Task<int> RunAsync(BenchArgs args, TextWriter? output = null)
    {
        output ??= Console.Out;
        var data = EvalData.Read(args.Required("docs"), args.Required("queries"), args.Required("qrels"), args.Int("limit", int.MaxValue));
        var root = LocalStack.DataDirectory(args.Optional("data"));
        var folder = Path.Combine(root, "documents");
        Directory.CreateDirectory(folder);
        var idOfFile = WriteDocuments(data, folder);

        var settings = new Dictionary<string, string?>
        {
            [$"{IngestionOptions.Section}:{nameof(IngestionOptions.DropFolder)}"] = folder,
        };
        if (args.Optional("embedder") is { } embedderName)
        {
            settings[$"{EmbeddingOptions.Section}:{nameof(EmbeddingOptions.Model)}"] = embedderName;
        }

        await using var app = LocalStack.Build(root, settings);
        var services = app.Services;
        var index = services.GetRequiredService<ISearchIndex>();
        await index.EnsureReadyAsync(CancellationToken.None);
        var queue = services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = services.GetRequiredService<DropFolder>();
        var embedder = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var model = embedder.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "?";

        var files = Directory.GetFiles(folder).Order(StringComparer.Ordinal).ToList();
        var failed = new ConcurrentBag<string>();
        var clock = Stopwatch.StartNew();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var parallel = Math.Max(1, services.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxParallelDocuments);
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (file, ct) =>
        {
            var outcome = await queue.ProcessAsync(dropFolder.ToSourcePath(file), ct);
            // Byte-identical documents are indexed once (the product's duplicate rule); they are not failures.
            if (outcome?.Kind is not (IngestionOutcomeKind.Indexed or IngestionOutcomeKind.Duplicate))
            {
                failed.Add($"{Path.GetFileName(file)}: {outcome?.FailureReason}");
            }
        });
        var ingestSeconds = clock.Elapsed.TotalSeconds;
        var ingestCpu = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;
        var stats = await index.GetStatsAsync(CancellationToken.None);

        string DocOf(DocumentChunkRef chunk) => idOfFile.GetValueOrDefault(Path.GetFileName(chunk.SourcePath), chunk.SourcePath);

        // A collection may hold byte-identical documents (CISI has two pairs). The product indexes one copy and records the
        // other as its duplicate, so a hit on the indexed copy stands for both: it is expanded to the copies' ids at that rank,
        // as FTS5 (which indexes both) would list them side by side.
        var records = await services.GetRequiredService<IDocumentCatalog>().ListAsync(CancellationToken.None);
        var fileOfRecord = records.ToDictionary(r => r.Id, r => r.FileName);
        var copiesOf = records.Where(r => r.DuplicateOf is { } primary && fileOfRecord.ContainsKey(primary))
            .GroupBy(r => idOfFile.GetValueOrDefault(fileOfRecord[r.DuplicateOf!], fileOfRecord[r.DuplicateOf!]))
            .ToDictionary(g => g.Key, g => g.Select(r => idOfFile.GetValueOrDefault(r.FileName, r.FileName)).Order(StringComparer.Ordinal).ToList());

        using var fts = new Fts5Baseline();
        var chunkTexts = await ReadChunksAsync(services.GetRequiredService<SqliteDatabase>());
        foreach (var chunk in chunkTexts)
        {
            fts.Add(DocOf(chunk), chunk.KeywordText);
        }

        var runs = new Dictionary<string, List<(double Ndcg, double Rr, double Recall)>>
        {
            ["fts5-bm25"] = [], ["fts5-bm25-qtf"] = [], ["keyword"] = [], ["vector"] = [], ["hybrid"] = [],
        };
        var embedMs = new List<double>();
        var dump = args.Optional("dump") is { } dumpPath ? new StreamWriter(dumpPath) : null;
        var memory = (index as RagFunctions.Local.Retrieval.SqliteSearchIndex)?.Memory;
        var pathOfRow = chunkTexts.ToDictionary(c => c.RowId, c => DocOf(c));
        foreach (var (queryId, text) in data.Queries)
        {
            var relevant = data.Relevant[queryId];
            var started = Stopwatch.GetTimestamp();
            var vector = (await embedder.GenerateAsync([text], EmbeddingInput.ForQuery())).Single().Vector;
            embedMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);

            if (dump is not null && memory is not null)
            {
                // Per-retriever raw scores, for trying fusion rules offline.
                var ranked = memory.RankEach(text, vector, ChunkDepth);
                await dump.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(new
                {
                    query = queryId,
                    relevant = relevant.ToArray(),
                    keyword = ranked.Keyword.Select(h => new object[] { pathOfRow[h.Handle], h.Score }),
                    vector = ranked.Vector.Select(h => new object[] { pathOfRow[h.Handle], h.Score }),
                    fts = fts.Search(text, ChunkDepth),
                }));
            }

            runs["fts5-bm25"].Add(IrMetrics.Score(fts.Search(text, ChunkDepth).Distinct().Take(Cutoff).ToList(), relevant, Cutoff));
            runs["fts5-bm25-qtf"].Add(IrMetrics.Score(fts.Search(text, ChunkDepth, repeats: true).Distinct().Take(Cutoff).ToList(), relevant, Cutoff));
            runs["keyword"].Add(IrMetrics.Score(Documents(await index.SearchAsync(new HybridQuery(text, default, ChunkDepth), default)), relevant, Cutoff));
            runs["vector"].Add(IrMetrics.Score(Documents(await index.SearchAsync(new HybridQuery("", vector, ChunkDepth), default)), relevant, Cutoff));
            runs["hybrid"].Add(IrMetrics.Score(Documents(await index.SearchAsync(new HybridQuery(text, vector, ChunkDepth), default)), relevant, Cutoff));
        }

        dump?.Dispose();

        List<string> Documents(IReadOnlyList<SearchHit> hits) =>
            hits.Select(h => DocOf(new DocumentChunkRef(0, h.Chunk.SourcePath, "")))
                .SelectMany(id => copiesOf.TryGetValue(id, out var copies) ? [id, .. copies] : new[] { id })
                .Distinct().Take(Cutoff).ToList();

        var culture = CultureInfo.InvariantCulture;
        var baseline = runs["fts5-bm25"].Average(r => r.Ndcg);
        output.WriteLine(string.Create(culture,
            $"embedder={model} docs={data.Documents.Count} queries={data.Queries.Count} chunks={stats.ChunkCount} duplicates={copiesOf.Values.Sum(c => c.Count)} failed={failed.Count} ingest_s={ingestSeconds:F1} chunks_per_s={stats.ChunkCount / ingestSeconds:F1} ingest_cpu_s={ingestCpu:F1} query_embed_p50_ms={Percentile(embedMs, 0.5):F2} query_embed_p95_ms={Percentile(embedMs, 0.95):F2}"));
        output.WriteLine("| run | nDCG@10 | MRR@10 | Recall@10 | nDCG vs FTS5 |");
        output.WriteLine("|---|---|---|---|---|");
        foreach (var (name, scores) in runs)
        {
            var ndcg = scores.Average(s => s.Ndcg);
            output.WriteLine(string.Create(culture,
                $"| {name} | {ndcg:F3} | {scores.Average(s => s.Rr):F3} | {scores.Average(s => s.Recall):F3} | {ndcg / baseline:F2} |"));
        }

        foreach (var failure in failed.Take(10))
        {
            Console.Error.WriteLine("failed: " + failure);
        }

        Console.Error.WriteLine($"data={root}");
        return failed.IsEmpty ? 0 : 1;
    }

    private static Dictionary<string, string> WriteDocuments(EvalData data, string folder)
    {
        var idOfFile = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, title, text) in data.Documents)
        {
            var safe = new string(id.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
            var name = $"doc-{safe}.md";
            for (var n = 2; idOfFile.ContainsKey(name); n++)
            {
                name = $"doc-{safe}-{n}.md";
            }

            idOfFile[name] = id;
            var body = new StringBuilder();
            if (!string.IsNullOrWhiteSpace(title))
            {
                body.Append("# ").Append(title.Trim()).Append("\n\n");
            }

            File.WriteAllText(Path.Combine(folder, name), body.Append(text).Append('\n').ToString());
        }

        return idOfFile;
    }

    private sealed record DocumentChunkRef(long RowId, string SourcePath, string KeywordText);

    /// <summary>Every chunk as the product stored it, with the text its keyword index analyses.</summary>
    private static async Task<List<DocumentChunkRef>> ReadChunksAsync(SqliteDatabase database)
    {
        var chunks = new List<DocumentChunkRef>();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT rowid, source_path, title, heading, content FROM search_chunks ORDER BY document_id, ordinal";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            // The keyword index analyses the chunk with its context prefix (title › heading), so the baseline reads the same text.
            var text = ChunkContext.Contextualise(reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3), reader.GetString(4));
            chunks.Add(new DocumentChunkRef(reader.GetInt64(0), reader.GetString(1), text));
        }

        return chunks;
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
    }
}
