using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Ingest;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Benchmarks.Memory;

/// <summary><c>memory</c>: what a garbage-collector configuration costs after ingestion. Ingests a folder through the local host's real
/// pipeline <c>--rounds</c> times (each later round re-ingests everything, as edits do), lets the process settle, then reports RSS, GC
/// committed bytes and heap size as the host would have them, the live heap after a full blocking collection, and hybrid query latency
/// over the result. The GC mode comes from the usual environment (<c>DOTNET_gcServer</c>, <c>DOTNET_GCConserveMemory</c>,
/// <c>DOTNET_GCHeapHardLimit</c>), so one build measures every configuration.</summary>
internal static class MemoryBenchmark
{
    private static readonly string[] Queries =
    [
        "how to configure the server", "license terms and conditions", "install packages", "error message when starting",
        "user and group permissions", "copyright holders", "command line options", "default configuration file",
        "security vulnerability report", "build from source", "environment variables", "network connection timeout",
        "character encoding utf-8", "regular expression syntax", "shared library version", "documentation for developers",
        "python module import", "memory allocation", "signal handling", "compression format",
    ];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var folder = Path.GetFullPath(args.Required("folder"));
        var rounds = int.Parse(args.Optional("rounds") ?? "2", CultureInfo.InvariantCulture);
        var repeat = int.Parse(args.Optional("repeat") ?? "25", CultureInfo.InvariantCulture);
        var data = LocalStack.DataDirectory(args.Optional("data"));
        var settings = new Dictionary<string, string?> { [$"{IngestionOptions.Section}:{nameof(IngestionOptions.DropFolder)}"] = folder };

        await using var app = LocalStack.Build(data, settings);
        var services = app.Services;
        await services.GetRequiredService<ISearchIndex>().EnsureReadyAsync(CancellationToken.None);
        var queue = services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = services.GetRequiredService<DropFolder>();
        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => !DropFolder.IsIgnored(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var mb = files.Sum(f => new FileInfo(f).Length) / 1048576.0;

        var clock = Stopwatch.StartNew();
        for (var round = 0; round < rounds; round++)
        {
            if (round > 0)
            {
                foreach (var record in await services.GetRequiredService<IDocumentCatalog>().ListAsync(CancellationToken.None))
                {
                    await services.GetRequiredService<IngestionIntake>().RemoveAsync(record.Id, CancellationToken.None);
                }
            }

            await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 2 }, async (file, ct) =>
                await queue.ProcessAsync(dropFolder.ToSourcePath(file), ct));
        }

        var ingestSeconds = clock.Elapsed.TotalSeconds;
        var release = args.Optional("release") is "true";
        if (release)
        {
            // What the host does when its ingestion queue drains (IngestionProgressReporter → MemoryRelease).
            MemoryRelease.AfterIngestionBatch();
        }

        var stats = await services.GetRequiredService<ISearchIndex>().GetStatsAsync(CancellationToken.None);

        // What an idle host holds a little after ingestion (background GCs may run; nothing is forced).
        await Task.Delay(TimeSpan.FromSeconds(10));
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var rss = process.WorkingSet64;
        var info = GC.GetGCMemoryInfo();
        var committed = info.TotalCommittedBytes;
        var heap = info.HeapSizeBytes;

        var retriever = services.GetRequiredService<HybridRetriever>();
        var latencies = new List<double>();
        for (var i = 0; i < repeat; i++)
        {
            foreach (var q in Queries)
            {
                var started = Stopwatch.GetTimestamp();
                await retriever.RetrieveAsync(q, 10, null, CancellationToken.None);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        latencies.Sort();
        var live = GC.GetTotalMemory(forceFullCollection: true);
        process.Refresh();
        var rssAfterGc = process.WorkingSet64;

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gc_server={GCSettings.IsServerGC} conserve={Environment.GetEnvironmentVariable("DOTNET_GCConserveMemory") ?? "0"} hard_limit={Environment.GetEnvironmentVariable("DOTNET_GCHeapHardLimit") ?? "none"} release_after_batch={release} files={files.Count} mb={mb:F1} rounds={rounds} ingest_s={ingestSeconds:F1} chunks={stats.ChunkCount}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"rss_mb={rss / 1048576.0:F0} committed_mb={committed / 1048576.0:F0} heap_mb={heap / 1048576.0:F0} live_mb={live / 1048576.0:F0} rss_over_live={(double)rss / live:F2} rss_after_full_gc_mb={rssAfterGc / 1048576.0:F0} query_p50_ms={Percentile(latencies, 0.50):F2} query_p95_ms={Percentile(latencies, 0.95):F2} queries={latencies.Count} loadavg={File.ReadAllText("/proc/loadavg").Split(' ')[0]}"));
        return 0;
    }

    private static double Percentile(List<double> sorted, double p) => sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
}
