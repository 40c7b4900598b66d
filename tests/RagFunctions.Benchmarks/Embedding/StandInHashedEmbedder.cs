using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace RagFunctions.Benchmarks.Embedding;

/// <summary>STAND-IN for the product's local embedder (<c>HashedNgramEmbedder</c>, written in Core/Ingestion/Embedding in parallel):
/// signed feature hashing of lower-cased words (weight 1) and their character trigrams (weight 0.5), L2-normalised.
/// Lexical, not neural. Swap it for the real one in <see cref="BenchEmbedder.Create"/> (one line) once that lands.</summary>
internal sealed class StandInHashedEmbedder(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
{
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            result.Add(new Embedding<float>(Embed(value)));
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private float[] Embed(string text)
    {
        var vector = new float[dimensions];
        Span<char> word = stackalloc char[66];
        var length = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (char.IsLetterOrDigit(c) && length < 64)
            {
                word[1 + length++] = char.ToLowerInvariant(c);
                continue;
            }

            if (length > 0)
            {
                Add(vector, word.Slice(1, length), 1f);
                word[0] = '#';
                word[length + 1] = '#';
                for (var g = 0; g + 3 <= length + 2; g++)
                {
                    Add(vector, word.Slice(g, 3), 0.5f);
                }

                length = 0;
            }
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    private void Add(float[] vector, ReadOnlySpan<char> feature, float weight)
    {
        // FNV-1a over UTF-16 code units; the top bit picks the sign so collisions cancel instead of piling up.
        var hash = 2166136261u;
        foreach (var c in feature)
        {
            hash = (hash ^ c) * 16777619u;
        }

        vector[(int)(hash % (uint)dimensions)] += (hash & 0x80000000u) != 0 ? -weight : weight;
    }
}
