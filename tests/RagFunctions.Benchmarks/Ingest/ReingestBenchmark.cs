using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Benchmarks.Ingest;

/// <summary><c>reingest</c>: one real document through the local host's pipeline, then the same document with one paragraph
/// edited, a few times (a different paragraph each round) — once with the vector cache (the default) and once with it replaced
/// by <see cref="NoVectorCache"/>, i.e. as before the cache existed. Prints per round the chunks the embedder read vs. reused,
/// the run's wall time and its embed stage.</summary>
internal static class ReingestBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var file = Path.GetFullPath(args.Required("file"));
        var rounds = int.Parse(args.Optional("rounds") ?? "3", CultureInfo.InvariantCulture);
        var settings = new Dictionary<string, string?>();
        if (args.Optional("embedder") is { } embedder)
        {
            settings["RagFunctions:Embedding:Model"] = embedder;
        }

        var original = await File.ReadAllTextAsync(file);
        Console.WriteLine($"file={Path.GetFileName(file)} bytes={new FileInfo(file).Length} embedder={args.Optional("embedder") ?? "(default)"} rounds={rounds}");
        foreach (var cache in new[] { true, false })
        {
            await RunStackAsync(file, original, rounds, cache, settings);
        }

        return 0;
    }

    private static async Task RunStackAsync(string file, string original, int rounds, bool cache, Dictionary<string, string?> baseSettings)
    {
        var data = LocalStack.DataDirectory(null);
        var drop = Path.Combine(data, "drop");
        Directory.CreateDirectory(drop);
        var target = Path.Combine(drop, Path.GetFileName(file));
        var settings = new Dictionary<string, string?>(baseSettings) { [$"{IngestionOptions.Section}:{nameof(IngestionOptions.DropFolder)}"] = drop };
        await using var app = LocalStack.Build(data, settings, services =>
        {
            if (!cache)
            {
                services.RemoveAll<IVectorCache>();
                services.AddSingleton<IVectorCache, NoVectorCache>();
            }
        });
        await app.Services.GetRequiredService<ISearchIndex>().EnsureReadyAsync(CancellationToken.None);
        var queue = app.Services.GetRequiredService<LocalIngestionQueue>();
        var dropFolder = app.Services.GetRequiredService<DropFolder>();
        var catalog = app.Services.GetRequiredService<IDocumentCatalog>();

        var text = original;
        for (var round = 0; round <= rounds; round++)
        {
            if (round > 0)
            {
                // A different paragraph each round, spread over the document.
                text = EditParagraph(text, (double)round / (rounds + 1), $"Edited in round {round}: the quillwort tide table moved to the harbour office.");
            }

            await File.WriteAllTextAsync(target, text);
            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
            var started = Stopwatch.GetTimestamp();
            var outcome = await queue.ProcessAsync(dropFolder.ToSourcePath(target), CancellationToken.None);
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var record = outcome is null ? null : await catalog.GetAsync(outcome.DocumentId, CancellationToken.None);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"cache={(cache ? "on" : "off")} round={round}{(round == 0 ? "(original)" : "(edited)")} outcome={outcome?.Kind} chunks={record?.ChunkCount} embedded={record?.Embedding?.Embedded} reused={record?.Embedding?.Reused} seconds={seconds:F3} embed_s={(record?.StageMilliseconds.GetValueOrDefault("embed") ?? 0) / 1000:F3} loadavg={load}"));
        }
    }

    /// <summary>Replaces the text of the first paragraph at or after <paramref name="at"/> (a fraction of the text): an HTML
    /// <c>&lt;p&gt;</c> element's content, otherwise a blank-line separated paragraph.</summary>
    private static string EditParagraph(string text, double at, string replacement)
    {
        var from = (int)(text.Length * at);
        var start = text.IndexOf("<p>", from, StringComparison.Ordinal);
        if (start >= 0)
        {
            var end = text.IndexOf("</p>", start, StringComparison.Ordinal);
            return string.Concat(text.AsSpan(0, start + 3), replacement, text.AsSpan(end));
        }

        start = text.IndexOf("\n\n", from, StringComparison.Ordinal);
        var next = start < 0 ? -1 : text.IndexOf("\n\n", start + 2, StringComparison.Ordinal);
        if (start < 0 || next < 0)
        {
            throw new InvalidOperationException("no paragraph to edit at " + at.ToString(CultureInfo.InvariantCulture));
        }

        return string.Concat(text.AsSpan(0, start + 2), replacement, text.AsSpan(next));
    }
}
