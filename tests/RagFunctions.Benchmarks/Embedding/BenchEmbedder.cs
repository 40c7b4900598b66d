using Microsoft.Extensions.AI;

namespace RagFunctions.Benchmarks.Embedding;

internal static class BenchEmbedder
{
    /// <summary>The embedder the benches use. TODO(swap): return the product's HashedNgramEmbedder here when it is merged.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> Create(int dimensions) => new StandInHashedEmbedder(dimensions);

    /// <summary>Embeds many texts on all cores, in batches.</summary>
    public static async Task<float[][]> EmbedAllAsync(IEmbeddingGenerator<string, Embedding<float>> embedder, IReadOnlyList<string> texts)
    {
        var vectors = new float[texts.Count][];
        const int batch = 256;
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
}
