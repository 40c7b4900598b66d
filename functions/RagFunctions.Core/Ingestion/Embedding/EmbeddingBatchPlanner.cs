using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>One embedding call's share of the inputs: <c>Count</c> texts from index <c>Start</c>, <c>Tokens</c> estimated tokens.</summary>
public sealed record EmbeddingBatch(int Start, int Count, int Tokens)
{
    public Range Range => new(Start, Start + Count);
}

/// <summary>Splits inputs into consecutive batches of at most <see cref="EmbeddingOptions.MaxBatchInputs"/> texts and
/// <see cref="EmbeddingOptions.MaxBatchTokens"/> tokens; a text over the token limit on its own forms its own batch.</summary>
public sealed class EmbeddingBatchPlanner(ITokenCounter tokenCounter, IOptions<EmbeddingOptions> options)
{
    public IReadOnlyList<EmbeddingBatch> Plan(IReadOnlyList<string> texts)
    {
        ArgumentNullException.ThrowIfNull(texts);
        var counts = new int[texts.Count];
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = tokenCounter.CountTokens(texts[i]);
        }

        return Plan(counts, options.Value.MaxBatchInputs, options.Value.MaxBatchTokens);
    }

    /// <summary>Plans batches from precomputed token counts (order preserved, every index in exactly one batch).</summary>
    public static IReadOnlyList<EmbeddingBatch> Plan(IReadOnlyList<int> tokenCounts, int maxInputs, int maxTokens)
    {
        ArgumentNullException.ThrowIfNull(tokenCounts);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTokens, 1);

        var batches = new List<EmbeddingBatch>();
        var start = 0;
        var tokens = 0;
        for (var i = 0; i < tokenCounts.Count; i++)
        {
            var count = Math.Max(0, tokenCounts[i]);
            var size = i - start;
            if (size > 0 && (size >= maxInputs || tokens + count > maxTokens))
            {
                batches.Add(new EmbeddingBatch(start, size, tokens));
                start = i;
                tokens = 0;
            }

            tokens += count;
        }

        if (tokenCounts.Count > start)
        {
            batches.Add(new EmbeddingBatch(start, tokenCounts.Count - start, tokens));
        }

        return batches;
    }
}
