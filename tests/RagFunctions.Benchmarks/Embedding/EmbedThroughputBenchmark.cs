using System.Diagnostics;
using System.Globalization;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Search;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Local.Embedding;

namespace RagFunctions.Benchmarks.Embedding;

/// <summary><c>embed-throughput</c>: how to spend the cores on a local neural embedder — ONNX Runtime intra-op threads
/// inside one call against several calls in parallel (what the local host does with
/// <c>RagFunctions:Ingestion:MaxParallelEmbeddingBatches</c> and <c>MaxParallelDocuments</c>). Inputs are corpus lines cut to
/// the model's window (as the product's chunker sizes chunks), embedded in calls of
/// <see cref="EmbeddingOptions.MaxBatchInputs"/>; prints chunks/s, word pieces/s and CPU per chunk for each configuration.</summary>
internal static class EmbedThroughputBenchmark
{
    public static async Task<int> RunAsync(BenchArgs args)
    {
        var definition = LocalEmbedderDefinition.Find(args.Optional("embedder") ?? new EmbeddingOptions().Model)
            ?? throw new ArgumentException("--embedder must name a local neural embedder (minilm, arctic-xs).");
        var count = args.Int("n", 512);
        var batchSize = args.Int("batch", new EmbeddingOptions().MaxBatchInputs);
        var configurations = (args.Optional("configs") ?? "1x1,2x1,1x2,2x2,1x4")
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(c => c.Split('x') is [var intra, var parallel]
                ? (Intra: int.Parse(intra, CultureInfo.InvariantCulture), Parallel: int.Parse(parallel, CultureInfo.InvariantCulture))
                : throw new ArgumentException($"configuration '{c}' is not INTRAxPARALLEL"))
            .ToArray();

        using var probe = new OnnxSentenceEmbedder(definition);
        var inputs = WindowSized(BenchCorpus.ReadLines(args.Required("corpus"), count * 2), probe, count);
        var pieces = inputs.Sum(i => probe.Tokens.CountTokens(i) + 2);
        var batches = inputs.Chunk(batchSize).ToArray();
        var culture = CultureInfo.InvariantCulture;
        Console.WriteLine(string.Create(culture,
            $"embedder={definition.ModelId} chunks={inputs.Count} word_pieces={pieces} mean_pieces={(double)pieces / inputs.Count:F0} batch={batchSize} cores={Environment.ProcessorCount}"));

        foreach (var (intra, parallel) in configurations)
        {
            using var embedder = new OnnxSentenceEmbedder(definition, intra);
            // Warm-up: loads the model and JITs the path, outside the measurement.
            await embedder.GenerateAsync(inputs.Take(batchSize));
            var cpuBefore = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            await Parallel.ForEachAsync(batches, new ParallelOptions { MaxDegreeOfParallelism = parallel },
                async (batch, ct) => await embedder.GenerateAsync(batch, cancellationToken: ct));
            var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
            var cpuMs = (Environment.CpuUsage.TotalTime - cpuBefore).TotalMilliseconds;
            Console.WriteLine(string.Create(culture,
                $"intra_op={intra} parallel_calls={parallel} chunks_per_s={inputs.Count / seconds:F1} word_pieces_per_s={pieces / seconds:F0} cpu_ms_per_chunk={cpuMs / inputs.Count:F1} wall_s={seconds:F1} load_avg={SqliteLoadBenchmark.LoadAverage()}"));
        }

        return 0;
    }

    /// <summary>Each line cut (at a word) to the model's window, so a chunk is one ONNX sequence as in the product.</summary>
    private static List<string> WindowSized(IReadOnlyList<string> lines, OnnxSentenceEmbedder embedder, int count)
    {
        var result = new List<string>(count);
        foreach (var line in lines)
        {
            var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var take = words.Length;
            while (take > 1 && embedder.Tokens.CountTokens(string.Join(' ', words.Take(take))) > embedder.Window.MaxTokens)
            {
                take = take * 9 / 10;
            }

            result.Add(string.Join(' ', words.Take(take)));
            if (result.Count == count)
            {
                break;
            }
        }

        return result;
    }
}
