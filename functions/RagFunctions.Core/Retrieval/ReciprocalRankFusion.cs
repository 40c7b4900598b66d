namespace RagFunctions.Core.Retrieval;

/// <summary>One fused result: RRF score and the 1-based rank each retriever gave the key (null when it did not return it).</summary>
public readonly record struct FusedResult<TKey>(TKey Key, double Score, Retrievers FoundBy, int? KeywordRank, int? VectorRank);

/// <summary>Reciprocal Rank Fusion as Azure AI Search hybrid queries do it: score(d) = Σ over retrievers of 1/(k + rank(d)),
/// rank 1-based within each retriever's own list, k = 60.</summary>
public static class ReciprocalRankFusion
{
    public const int DefaultK = 60;

    /// <summary>How many results each retriever contributes for a query asking for <paramref name="top"/>: max(50, top).</summary>
    public static int RetrieverDepth(int top) => Math.Max(50, top);

    /// <summary>Fuses two ranked lists (best first; a key should appear at most once per list — later repeats are ignored).
    /// Ties on score go to the better best-rank, then to the keyword list's order.</summary>
    public static IReadOnlyList<FusedResult<TKey>> Fuse<TKey>(
        IReadOnlyList<TKey> keywordRanking, IReadOnlyList<TKey> vectorRanking, int top, int k = DefaultK)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(keywordRanking);
        ArgumentNullException.ThrowIfNull(vectorRanking);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        if (top <= 0)
        {
            return [];
        }

        var entries = new Dictionary<TKey, Entry>(keywordRanking.Count + vectorRanking.Count);
        var order = 0;
        for (var i = 0; i < keywordRanking.Count; i++)
        {
            if (!entries.ContainsKey(keywordRanking[i]))
            {
                entries[keywordRanking[i]] = new Entry(i + 1, null, order++);
            }
        }

        for (var i = 0; i < vectorRanking.Count; i++)
        {
            var key = vectorRanking[i];
            if (entries.TryGetValue(key, out var entry))
            {
                if (entry.VectorRank is null)
                {
                    entries[key] = entry with { VectorRank = i + 1 };
                }
            }
            else
            {
                entries[key] = new Entry(null, i + 1, order++);
            }
        }

        var fused = new List<(FusedResult<TKey> Result, int BestRank, int Order)>(entries.Count);
        foreach (var (key, entry) in entries)
        {
            var score = 0.0;
            var foundBy = Retrievers.None;
            if (entry.KeywordRank is { } keywordRank)
            {
                score += 1.0 / (k + keywordRank);
                foundBy |= Retrievers.Keyword;
            }

            if (entry.VectorRank is { } vectorRank)
            {
                score += 1.0 / (k + vectorRank);
                foundBy |= Retrievers.Vector;
            }

            var best = Math.Min(entry.KeywordRank ?? int.MaxValue, entry.VectorRank ?? int.MaxValue);
            fused.Add((new FusedResult<TKey>(key, score, foundBy, entry.KeywordRank, entry.VectorRank), best, entry.Order));
        }

        fused.Sort((x, y) => FusedOrder(x.Result.Score, x.BestRank, x.Order, y.Result.Score, y.BestRank, y.Order));

        var count = Math.Min(top, fused.Count);
        var results = new FusedResult<TKey>[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = fused[i].Result;
        }

        return results;
    }

    private readonly record struct Entry(int? KeywordRank, int? VectorRank, int Order);

    /// <summary>The fused order every fusion rule shares: higher score first; on a tie the better of the two ranks, then the
    /// order in which the hit was first seen, so results are deterministic.</summary>
    internal static int FusedOrder(double scoreX, int bestRankX, int orderX, double scoreY, int bestRankY, int orderY)
    {
        var byScore = scoreY.CompareTo(scoreX);
        if (byScore != 0)
        {
            return byScore;
        }

        var byRank = bestRankX.CompareTo(bestRankY);
        return byRank != 0 ? byRank : orderX.CompareTo(orderY);
    }
}
