using RagFunctions.Benchmarks.Eval;

namespace RagFunctions.Benchmarks.Tests.Eval;

public sealed class IrMetricsTests
{
    [Fact]
    public void Scores_a_ranking_as_computed_by_hand()
    {
        // Relevant: a, b, c. Ranked: x, a, y, b (c never found).
        // DCG = 1/log2(3) + 1/log2(5) = 0.6309298 + 0.4306766; ideal = 1 + 1/log2(3) + 1/log2(4) = 1 + 0.6309298 + 0.5.
        var (ndcg, rr, recall) = IrMetrics.Score(["x", "a", "y", "b"], new HashSet<string> { "a", "b", "c" }, 10);

        Assert.Equal(0.498189, ndcg, 6); // 1.0616063 / 2.1309298
        Assert.Equal(0.5, rr, 12);
        Assert.Equal(2.0 / 3, recall, 12);
    }

    [Fact]
    public void A_perfect_ranking_scores_one_and_hits_past_the_cutoff_do_not_count()
    {
        Assert.Equal((1.0, 1.0, 1.0), IrMetrics.Score(["a", "b", "x"], new HashSet<string> { "a", "b" }, 10));

        // The only relevant document at rank 3 with a cut-off of 2: nothing found.
        Assert.Equal((0.0, 0.0, 0.0), IrMetrics.Score(["x", "y", "a"], new HashSet<string> { "a" }, 2));
    }

    [Fact]
    public void More_relevant_documents_than_the_cutoff_normalise_by_the_cutoff()
    {
        // Twelve relevant, the first ten ranked all relevant: the ideal DCG is over ten ranks, so nDCG@10 = 1, recall 10/12.
        var relevant = Enumerable.Range(0, 12).Select(i => "d" + i).ToHashSet();
        var (ndcg, rr, recall) = IrMetrics.Score([.. Enumerable.Range(0, 10).Select(i => "d" + i)], relevant, 10);

        Assert.Equal(1.0, ndcg, 12);
        Assert.Equal(1.0, rr);
        Assert.Equal(10.0 / 12, recall, 12);
    }
}
