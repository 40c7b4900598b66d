using System.Buffers;
using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>
/// The local default embedder: a deterministic bag of hashed lexical features. It is <b>lexical, not neural</b> — it knows
/// nothing about synonyms or meaning; texts are close when they share words, word pairs and word fragments. It needs no
/// model, no network and no GPU, and gives the same vector for the same text on every machine and run.
/// </summary>
/// <remarks>
/// Features, all on lower-cased text split into words (runs of letters, digits and combining marks): word unigrams
/// (weight 1), adjacent word bigrams (0.7) and character 3-, 4- and 5-grams of each word padded as <c>&lt;word&gt;</c>
/// (0.25 each; they match inflections and spelling variants, and give CJK text, which has no spaces, useful features).
/// Each feature is hashed with 64-bit FNV-1a (seeded per feature kind) into one of <c>Dimensions</c> buckets, with the
/// sign taken from another hash bit so that collisions cancel rather than pile up. Each bucket is then damped
/// sublinearly (<c>sign · ln(1 + |x|)</c>, i.e. sublinear term frequency when a bucket holds one feature) and the vector is
/// L2-normalised, so a dot product is the cosine similarity. A text with no features (empty or only punctuation)
/// gets a fixed unit vector.
/// </remarks>
public sealed class HashedNgramEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>Model id reported in metadata and on each embedding; bump when features or hashing change.</summary>
    public const string ModelId = "local-hashed-ngram-v1";

    private const ulong FnvOffset = 14695981039346656037UL;
    private const ulong FnvPrime = 1099511628211UL;
    private const ulong UnigramSeed = 0x9E3779B97F4A7C15UL;
    private const ulong BigramSeed = 0xC2B2AE3D27D4EB4FUL;
    private const ulong CharGramSeed = 0x165667B19E3779F9UL;
    private const float UnigramWeight = 1f;
    private const float BigramWeight = 0.7f;
    private const float CharGramWeight = 0.25f;

    private readonly int _dimensions;

    /// <summary>Lexical vectors mostly repeat what BM25 already found and add noise: they only break near-ties and bring in
    /// what BM25 misses entirely (measured on CISI: 0.01–0.04 lifts BM25 slightly, 0.1 and up falls below it;
    /// docs/retrieval-eval.md).</summary>
    public static Retrieval.ScoreFusion Fusion { get; } = new(0.03);

    public HashedNgramEmbedder(IOptions<EmbeddingOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _dimensions = options.Value.Dimensions;
        if (_dimensions is < 2 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _dimensions, "Embedding dimensions must be between 2 and 65536.");
        }

        Metadata = new EmbeddingGeneratorMetadata("local", null, ModelId, _dimensions);
    }

    public EmbeddingGeneratorMetadata Metadata { get; }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var dimensions = options?.Dimensions ?? _dimensions;
        if (dimensions is < 2 or > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(options), dimensions, "Embedding dimensions must be between 2 and 65536.");
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = new float[dimensions];
            Embed(value.AsSpan(), vector);
            result.Add(new Embedding<float>(vector) { ModelId = ModelId });
        }

        return Task.FromResult(result);
    }

    /// <summary>Writes the unit-length embedding of <paramref name="text"/> into <paramref name="vector"/> (whose length is the dimension count).</summary>
    public static void Embed(ReadOnlySpan<char> text, Span<float> vector)
    {
        vector.Clear();
        var rented = ArrayPool<char>.Shared.Rent(Math.Max(16, text.Length));
        try
        {
            var lower = rented.AsSpan(0, text.Length);
            text.ToLowerInvariant(lower);
            var previousWordHash = 0UL;
            var hasPrevious = false;
            var i = 0;
            while (i < lower.Length)
            {
                if (!IsWordChar(lower[i]))
                {
                    i++;
                    continue;
                }

                var start = i;
                while (i < lower.Length && IsWordChar(lower[i]))
                {
                    i++;
                }

                var word = lower[start..i];
                var wordHash = Fnv(word, FnvOffset);
                Add(vector, Mix(wordHash ^ UnigramSeed), UnigramWeight);
                if (hasPrevious)
                {
                    Add(vector, Mix((previousWordHash * FnvPrime) ^ wordHash ^ BigramSeed), BigramWeight);
                }

                AddCharGrams(vector, word);
                previousWordHash = wordHash;
                hasPrevious = true;
            }
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }

        // Sublinear damping, then unit length.
        for (var d = 0; d < vector.Length; d++)
        {
            var x = vector[d];
            vector[d] = x >= 0 ? MathF.Log(1 + x) : -MathF.Log(1 - x);
        }

        var norm = TensorPrimitives.Norm((ReadOnlySpan<float>)vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }
        else
        {
            vector[0] = 1f;
        }
    }

    // Character 3- to 5-grams of "<word>"; hashes grow incrementally so each start position costs five multiply-xors.
    private static void AddCharGrams(Span<float> vector, ReadOnlySpan<char> word)
    {
        var padded = word.Length + 2;
        for (var s = 0; s + 3 <= padded; s++)
        {
            var h = FnvOffset ^ CharGramSeed;
            var max = Math.Min(5, padded - s);
            for (var n = 0; n < max; n++)
            {
                var k = s + n;
                var c = k == 0 ? '<' : k == padded - 1 ? '>' : word[k - 1];
                h = (h ^ c) * FnvPrime;
                if (n >= 2)
                {
                    Add(vector, Mix(h + (ulong)n), CharGramWeight);
                }
            }
        }
    }

    private static bool IsWordChar(char c) =>
        char.IsLetterOrDigit(c) || char.IsSurrogate(c) || (c > 0x2ff && char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.NonSpacingMark or System.Globalization.UnicodeCategory.SpacingCombiningMark);

    private static ulong Fnv(ReadOnlySpan<char> s, ulong seed)
    {
        var h = seed;
        foreach (var c in s)
        {
            h = (h ^ c) * FnvPrime;
        }

        return h;
    }

    // FNV-1a mixes its low bits poorly; a final avalanche (splitmix64 finaliser) spreads every input bit before bucketing.
    private static ulong Mix(ulong h)
    {
        h ^= h >> 30;
        h *= 0xBF58476D1CE4E5B9UL;
        h ^= h >> 27;
        h *= 0x94D049BB133111EBUL;
        h ^= h >> 31;
        return h;
    }

    private static void Add(Span<float> vector, ulong hash, float weight)
    {
        var bucket = (int)((hash >> 1) % (ulong)vector.Length);
        vector[bucket] += (hash & 1) == 0 ? weight : -weight;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        EmbedderServices.Get(this, serviceType, serviceKey, Metadata, Fusion);

    public void Dispose()
    {
    }
}
