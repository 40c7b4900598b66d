using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Options;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Workflow;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Benchmarks.Ingest;

/// <summary><c>ingest</c>: every file of a folder through the local host's real pipeline (hash + intake, extraction, chunking, local embedder,
/// SQLite index write + in-memory index update, catalog), with the folder as drop folder, on a fresh data directory and with the host's
/// document parallelism. <c>mb</c> counts input file bytes; <c>text_mb</c> counts the UTF-8 bytes of the extracted text.</summary>
internal static class IngestBenchmark
{
    private static readonly string[] Stages = ["extract", "chunk", "embed", "index"];

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var folder = Path.GetFullPath(args.Required("folder"));
        var data = LocalStack.DataDirectory(args.Optional("data"));
        var settings = new Dictionary<string, string?>
        {
            [$"{IngestionOptions.Section}:{nameof(IngestionOptions.DropFolder)}"] = folder,
        };
        if (args.Optional("parallel") is { } parallelSetting)
        {
            settings[$"{IngestionOptions.Section}:{nameof(IngestionOptions.MaxParallelDocuments)}"] = parallelSetting;
        }

        // --embedder / --intra-op / --batches: the embedding settings a user would set, so throughput per embedder and per way of
        // using the cores is measured through the real pipeline.
        if (args.Optional("embedder") is { } embedderSetting)
        {
            settings[$"{EmbeddingOptions.Section}:{nameof(EmbeddingOptions.Model)}"] = embedderSetting;
        }

        if (args.Optional("intra-op") is { } intraOpSetting)
        {
            settings[$"{EmbeddingOptions.Section}:{nameof(EmbeddingOptions.IntraOpThreads)}"] = intraOpSetting;
        }

        if (args.Optional("batches") is { } batchesSetting)
        {
            settings[$"{IngestionOptions.Section}:{nameof(IngestionOptions.MaxParallelEmbeddingBatches)}"] = batchesSetting;
        }

        // A long-running host has its hot paths jitted and tiered up; a cold 10-second process spends ~30 % of its CPU in the
        // JIT. So, like BenchmarkDotNet's warm-up iterations, a sample of the files is first ingested into a throwaway stack.
        var warmupFiles = int.Parse(args.Optional("warmup") ?? "800", CultureInfo.InvariantCulture);
        if (warmupFiles > 0)
        {
            await WarmUpAsync(folder, settings, warmupFiles);
        }

        await using var app = LocalStack.Build(data, settings);
        var services = app.Services;
        await services.GetRequiredService<ISearchIndex>().EnsureReadyAsync(CancellationToken.None);
        var queue = services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = services.GetRequiredService<DropFolder>();
        var parallel = Math.Max(1, services.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxParallelDocuments);

        var files = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => !DropFolder.IsIgnored(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var inputBytes = files.Sum(f => new FileInfo(f).Length);

        var outcomes = new ConcurrentBag<(IngestionOutcome? Outcome, double Ms)>();
        var load = LoadAverage();
        var cpuBefore = Environment.CpuUsage.TotalTime;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (file, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            var outcome = await queue.ProcessAsync(dropFolder.ToSourcePath(file), ct);
            outcomes.Add((outcome, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        });
        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Environment.CpuUsage.TotalTime - cpuBefore).TotalSeconds;

        var indexed = outcomes.Count(o => o.Outcome?.Kind == IngestionOutcomeKind.Indexed);
        var failed = outcomes.Where(o => o.Outcome?.Kind == IngestionOutcomeKind.Failed).ToList();
        var chunks = outcomes.Sum(o => o.Outcome?.ChunkCount ?? 0);
        var records = await services.GetRequiredService<IDocumentCatalog>().ListAsync(CancellationToken.None);
        var stageTotals = Stages.ToDictionary(s => s, s => records.Sum(r => r.StageMilliseconds.GetValueOrDefault(s)) / 1000.0);
        var documentSeconds = outcomes.Sum(o => o.Ms) / 1000.0;
        var stats = await services.GetRequiredService<ISearchIndex>().GetStatsAsync(CancellationToken.None);

        // Untimed second pass, only to state how much text the files held.
        var (textBytes, extractByType) = await ExtractedTextBytesAsync(services.GetRequiredService<DocumentExtractor>(), files);

        var mb = inputBytes / 1048576.0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"files={files.Count} mb={mb:F2} seconds={seconds:F2} mb_per_s={mb / seconds:F2} chunks={chunks}"));
        var stageText = string.Join(' ', stageTotals.Select(s => string.Create(CultureInfo.InvariantCulture, $"{s.Key}_s={s.Value:F2}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chunks_per_s={chunks / seconds:F0} text_mb={textBytes / 1048576.0:F2} text_mb_per_s={textBytes / 1048576.0 / seconds:F2} indexed={indexed} failed={failed.Count} parallel={parallel} {stageText} other_s={documentSeconds - stageTotals.Values.Sum():F2} document_s={documentSeconds:F2} index_chunks={stats.ChunkCount}"));
        var tokens = records.Sum(r => (long)r.TokenCount);
        var embedding = services.GetRequiredService<IOptions<EmbeddingOptions>>().Value;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"embedder={embedding.Model} intra_op={embedding.IntraOpThreads} embed_batches_parallel={services.GetRequiredService<IOptions<IngestionOptions>>().Value.MaxParallelEmbeddingBatches} tokens={tokens} tokens_per_s={tokens / seconds:F0} (tokens as the catalog counts them: in the tokenizer chunks are sized with — the model's word pieces for minilm/arctic-xs, cl100k for lexical)"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"cpu_s={cpuSeconds:F2} cores={Environment.ProcessorCount} mb_per_cpu_s={mb / cpuSeconds:F2} loadavg_before={load} loadavg_after={LoadAverage()}"));
        Console.WriteLine("extract_by_type (untimed second pass, single thread): " + string.Join(' ', extractByType.OrderByDescending(e => e.Value.Ms)
            .Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}:files={e.Value.Files},mb={e.Value.Bytes / 1048576.0:F1},s={e.Value.Ms / 1000:F2}"))));
        Console.WriteLine("(mb = input file bytes; text_mb = UTF-8 bytes of the extracted text; *_s = per-stage totals summed over documents, embed = slowest batch per document; other = hashing, intake and catalog writes; document_s = summed per-document wall time, > seconds when documents run in parallel)");
        foreach (var failure in failed.Take(10))
        {
            Console.Error.WriteLine($"failed: {failure.Outcome!.DocumentId}: {failure.Outcome.FailureReason}");
        }

        Console.Error.WriteLine($"data={data}");
        return 0;
    }

    private static async Task WarmUpAsync(string folder, Dictionary<string, string?> settings, int count)
    {
        var data = LocalStack.DataDirectory(null);
        await using var warm = LocalStack.Build(data, settings);
        await warm.Services.GetRequiredService<ISearchIndex>().EnsureReadyAsync(CancellationToken.None);
        var queue = warm.Services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = warm.Services.GetRequiredService<DropFolder>();
        var all = Directory.EnumerateFiles(folder, "*", new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true })
            .Where(f => !DropFolder.IsIgnored(Path.GetFileName(f)))
            .Order(StringComparer.Ordinal)
            .ToList();
        var step = Math.Max(1, all.Count / count);
        var sample = all.Where((_, i) => i % step == 0).Take(count).ToList();
        for (var round = 0; round < 2; round++)
        {
            foreach (var file in sample)
            {
                await queue.ProcessAsync(dropFolder.ToSourcePath(file), CancellationToken.None);
            }

            // Removing the documents makes round two ingest again instead of taking the unchanged-content skip.
            foreach (var record in await warm.Services.GetRequiredService<IDocumentCatalog>().ListAsync(CancellationToken.None))
            {
                await warm.Services.GetRequiredService<IngestionIntake>().RemoveAsync(record.Id, CancellationToken.None);
            }
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"warmup_files={sample.Count} (x2, untimed, separate data directory {data})"));
    }

    private static async Task<(long TextBytes, Dictionary<string, (int Files, long Bytes, double Ms)> ByType)> ExtractedTextBytesAsync(
        DocumentExtractor extractor, List<string> files)
    {
        long total = 0;
        var byType = new Dictionary<string, (int Files, long Bytes, double Ms)>(StringComparer.OrdinalIgnoreCase);
        foreach (var file in files)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var stream = File.OpenRead(file);
                var document = await extractor.ExtractAsync(stream, Path.GetFileName(file), CancellationToken.None);
                total += Encoding.UTF8.GetByteCount(document.FullText);
            }
            catch (ExtractionFailedException)
            {
                // Counted as failed above; it holds no text.
            }

            var type = Path.GetExtension(file).ToLowerInvariant();
            var (count, bytes, ms) = byType.GetValueOrDefault(type);
            byType[type] = (count + 1, bytes + new FileInfo(file).Length, ms + Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return (total, byType);
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
}
