using System.Runtime.InteropServices;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Local.Embedding;

namespace RagFunctions.Benchmarks.Embedding;

internal static class BenchEmbedder
{
    /// <summary>The embedder the benches use: the product's local embedder named <paramref name="name"/> (default: the product
    /// default, <see cref="EmbeddingOptions.Model"/>), so figures describe what users run.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(int dimensions, string? name = null)
    {
        name ??= new EmbeddingOptions().Model;
        if (LocalEmbedderDefinition.Find(name) is { } definition)
        {
            return new OnnxSentenceEmbedder(definition);
        }

        if (!string.Equals(name, LocalEmbedderDefinition.Lexical, StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Unknown embedder '{name}'.");
        }

        return new HashedNgramEmbedder(Microsoft.Extensions.Options.Options.Create(new EmbeddingOptions { Dimensions = dimensions }));
    }

    /// <summary>Embeds many texts on all cores, in batches.</summary>
    public static async Task<float[][]> EmbedAllAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<string> texts)
    {
        var vectors = new float[texts.Count][];
        const int batch = 32;
        await Parallel.ForAsync(0, (texts.Count + batch - 1) / batch, async (b, ct) =>
        {
            var start = b * batch;
            var count = Math.Min(batch, texts.Count - start);
            var embeddings = await embedder.GenerateAsync(Enumerable.Range(start, count).Select(i => texts[i]), cancellationToken: ct);
            for (var i = 0; i < count; i++)
            {
                vectors[start + i] = embeddings[i].Vector.ToArray();
            }
        });
        return vectors;
    }

    /// <summary>As <see cref="EmbedAllAsync"/>, but kept on disk beside the corpus (<c>FILE.&lt;model&gt;.&lt;n&gt;.vectors</c>) so a rerun
    /// of a 100k-chunk corpus with a neural model does not embed it again. Returns whether the cache served them.</summary>
    public static async Task<(float[][] Vectors, bool Cached)> EmbedAllCachedAsync(
        IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<string> texts, string corpusPath, int dimensions)
    {
        var model = ((embedder.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata)?.DefaultModelId ?? "unknown").Replace('/', '_');
        var cache = $"{corpusPath}.{model}.{texts.Count}.{dimensions}.vectors";
        if (File.Exists(cache) && new FileInfo(cache).Length == (long)texts.Count * dimensions * sizeof(float))
        {
            return (await ReadAsync(cache, texts.Count, dimensions), true);
        }

        var vectors = await EmbedAllAsync(embedder, texts);
        await using (var output = File.Create(cache + ".tmp"))
        {
            foreach (var vector in vectors)
            {
                await output.WriteAsync(MemoryMarshal.AsBytes(vector.AsSpan()).ToArray());
            }
        }

        File.Move(cache + ".tmp", cache, overwrite: true);
        return (vectors, false);
    }

    private static async Task<float[][]> ReadAsync(string path, int count, int dimensions)
    {
        var bytes = await File.ReadAllBytesAsync(path);
        var all = MemoryMarshal.Cast<byte, float>(bytes);
        var vectors = new float[count][];
        for (var i = 0; i < count; i++)
        {
            vectors[i] = all.Slice(i * dimensions, dimensions).ToArray();
        }

        return vectors;
    }
}
