namespace RagFunctions.Core.Retrieval;

/// <summary>
/// How the local index fuses its keyword and vector rankings: a convex combination of min–max normalised scores,
/// <c>score(d) = (1 − w)·bm25′(d) + w·cos′(d)</c>, where <c>x′ = (x − min) / (max − min)</c> over that retriever's own top
/// list and a document missing from a list scores 0 there.
/// </summary>
/// <remarks>
/// <para>Why not Reciprocal Rank Fusion (Azure AI Search's hybrid): RRF gives both retrievers equal say whatever their
/// quality and throws away how far apart the scores are. With a neural embedder the vector side is much stronger than
/// BM25 on natural-language questions, and plain RRF (k = 60) fused to <i>below</i> the vector side alone on the
/// development collection (CISI, nDCG@10 0.428 vs 0.435 with all-MiniLM-L6-v2). Min–max fusion with a per-embedder weight
/// was the best of the rules measured (weighted RRF, max- and z-score normalisation; docs/retrieval-eval.md) and sits on a
/// flat plateau around its chosen weight, so it does not hinge on an exact value.</para>
/// <para>The weight belongs to the embedder (<see cref="VectorWeight"/>): a neural model earns more than half the say, the
/// lexical hashed embedder much less.</para>
/// </remarks>
/// <param name="VectorWeight">Share of the vector side, 0..1 (0 = keyword order, 1 = vector order).</param>
public sealed record ScoreFusion(double VectorWeight)
{
    /// <summary>What a neural sentence embedder gets when it states no weight of its own.</summary>
    public static ScoreFusion Default { get; } = new(0.6);

    /// <summary>Fuses two rankings (best first, raw scores; a key should appear once per list — later repeats are ignored).
    /// Ties on fused score go to the better best-rank, then to the keyword list's order.</summary>
    public IReadOnlyList<FusedResult<TKey>> Fuse<TKey>(
        IReadOnlyList<(TKey Key, double Score)> keyword, IReadOnlyList<(TKey Key, double Score)> vector, int top)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keyword);
        ArgumentNullException.ThrowIfNull(vector);
        if (top <= 0)
        {
            return [];
        }

        var weight = Math.Clamp(VectorWeight, 0, 1);
        var entries = new Dictionary<TKey, Entry>(keyword.Count + vector.Count);
        var order = 0;
        Add(keyword, 1 - weight, isKeyword: true);
        Add(vector, weight, isKeyword: false);

        var fused = entries.Select(e =>
        {
            var foundBy = (e.Value.KeywordRank is null ? Retrievers.None : Retrievers.Keyword)
                | (e.Value.VectorRank is null ? Retrievers.None : Retrievers.Vector);
            return (Result: new FusedResult<TKey>(e.Key, e.Value.Score, foundBy, e.Value.KeywordRank, e.Value.VectorRank),
                Best: Math.Min(e.Value.KeywordRank ?? int.MaxValue, e.Value.VectorRank ?? int.MaxValue), e.Value.Order);
        }).ToList();
        fused.Sort((x, y) => ReciprocalRankFusion.FusedOrder(x.Result.Score, x.Best, x.Order, y.Result.Score, y.Best, y.Order));
        return fused.Take(top).Select(f => f.Result).ToArray();

        void Add(IReadOnlyList<(TKey Key, double Score)> list, double share, bool isKeyword)
        {
            if (list.Count == 0)
            {
                return;
            }

            var min = double.MaxValue;
            var max = double.MinValue;
            foreach (var (_, score) in list)
            {
                min = Math.Min(min, score);
                max = Math.Max(max, score);
            }

            var range = max - min;
            for (var i = 0; i < list.Count; i++)
            {
                var (key, score) = list[i];
                entries.TryGetValue(key, out var entry);
                if (entries.ContainsKey(key) && (isKeyword ? entry.KeywordRank : entry.VectorRank) is not null)
                {
                    continue;
                }

                // A list whose scores are all equal carries only its membership: every member gets the full share.
                var normalised = range > 0 ? (score - min) / range : 1.0;
                entry = entries.ContainsKey(key) ? entry : new Entry(null, null, 0, order++);
                entries[key] = isKeyword
                    ? entry with { KeywordRank = i + 1, Score = entry.Score + (share * normalised) }
                    : entry with { VectorRank = i + 1, Score = entry.Score + (share * normalised) };
            }
        }
    }

    private readonly record struct Entry(int? KeywordRank, int? VectorRank, double Score, int Order);
}
