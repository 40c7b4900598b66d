namespace RagFunctions.Benchmarks.Eval;

/// <summary>Binary-relevance ranking metrics at a cut-off, as trec_eval computes them: nDCG (log2 discount, ideal = all
/// relevant first), reciprocal rank of the first relevant hit, and recall.</summary>
internal static class IrMetrics
{
    public static (double Ndcg, double Rr, double Recall) Score(IReadOnlyList<string> ranked, IReadOnlySet<string> relevant, int k)
    {
        if (relevant.Count == 0)
        {
            return (0, 0, 0);
        }

        double dcg = 0, rr = 0;
        var found = 0;
        for (var i = 0; i < Math.Min(k, ranked.Count); i++)
        {
            if (!relevant.Contains(ranked[i]))
            {
                continue;
            }

            dcg += 1.0 / Math.Log2(i + 2);
            found++;
            if (rr == 0)
            {
                rr = 1.0 / (i + 1);
            }
        }

        double ideal = 0;
        for (var i = 0; i < Math.Min(k, relevant.Count); i++)
        {
            ideal += 1.0 / Math.Log2(i + 2);
        }

        return (dcg / ideal, rr, (double)found / relevant.Count);
    }
}
