using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Benchmarks.Ingest;

/// <summary><c>chunk-scale</c>: ingests single-line text files of 1, 2, 4, 8, 16 MB (words, no sentence ends, no line breaks —
/// the shape that made chunking quadratic, issue 11) through the local pipeline and prints seconds per MB for the whole
/// ingestion and for the chunk stage. Linear chunking keeps both flat as the size doubles. The embedder defaults to
/// <c>lexical</c> so the figure is about chunking, not the model.</summary>
internal static class ChunkScaleBenchmark
{
    private static readonly string[] Words =
    [
        "library", "catalogue", "retrieval", "index", "classification", "journal", "citation", "analysis", "user", "system",
        "information", "science", "search", "query", "relevance", "document", "collection", "abstract", "subject", "heading",
    ];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var sizes = (args.Optional("sizes") ?? "1,2,4,8,16").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var root = LocalStack.DataDirectory(args.Optional("data"));
        var folder = Path.Combine(root, "documents");
        Directory.CreateDirectory(folder);
        var settings = new Dictionary<string, string?>
        {
            [$"{IngestionOptions.Section}:{nameof(IngestionOptions.DropFolder)}"] = folder,
            [$"{EmbeddingOptions.Section}:{nameof(EmbeddingOptions.Model)}"] = args.Optional("embedder") ?? "lexical",
        };

        await using var app = LocalStack.Build(root, settings);
        await app.Services.GetRequiredService<ISearchIndex>().EnsureReadyAsync(CancellationToken.None);
        var queue = app.Services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = app.Services.GetRequiredService<DropFolder>();
        var catalog = app.Services.GetRequiredService<IDocumentCatalog>();
        var random = new Random(1);

        // Warm-up (untimed): a 256 KB file first, so the 1 MB figure is not mostly JIT.
        var warmup = Path.Combine(folder, "warmup.txt");
        await File.WriteAllTextAsync(warmup, string.Join(' ', Enumerable.Range(0, 32768).Select(i => Words[i % Words.Length])));
        await queue.ProcessAsync(dropFolder.ToSourcePath(warmup), CancellationToken.None);

        foreach (var mb in sizes)
        {
            var path = Path.Combine(folder, $"single-line-{mb}mb.txt");
            var text = new StringBuilder(mb << 20);
            while (text.Length < mb << 20)
            {
                text.Append(Words[random.Next(Words.Length)]).Append(' ');
            }

            await File.WriteAllTextAsync(path, text.ToString(0, mb << 20));
            var started = Stopwatch.GetTimestamp();
            var outcome = await queue.ProcessAsync(dropFolder.ToSourcePath(path), CancellationToken.None);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var record = outcome is null ? null : await catalog.GetAsync(outcome.DocumentId, CancellationToken.None);
            var chunkSeconds = (record?.StageMilliseconds.GetValueOrDefault("chunk") ?? 0) / 1000;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"mb={mb} outcome={outcome?.Kind} chunks={outcome?.ChunkCount} seconds={seconds:F2} s_per_mb={seconds / mb:F3} chunk_s={chunkSeconds:F2} chunk_s_per_mb={chunkSeconds / mb:F3} load_avg={(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a")}"));
            if (outcome?.FailureReason is { } reason)
            {
                Console.Error.WriteLine($"failed: {reason}");
            }
        }

        Console.Error.WriteLine($"data={root}");
        return 0;
    }
}
