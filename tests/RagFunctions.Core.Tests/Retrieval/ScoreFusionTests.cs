using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class ScoreFusionTests
{
    [Fact]
    public void On_a_fixture_where_each_retriever_is_right_about_different_queries_the_hybrid_is_at_least_as_good_as_either()
    {
        // 12 queries, one relevant chunk each. Keyword queries: BM25 puts the answer first, the vectors put it 2nd-3rd behind
        // near-duplicates. Semantic queries: the reverse. Neither part is perfect; the hybrid must be no worse than either.
        var random = new Random(42);
        var keywordNdcg = 0.0;
        var vectorNdcg = 0.0;
        var hybridNdcg = 0.0;
        for (var q = 0; q < 12; q++)
        {
            var keywordRight = q % 2 == 0;
            var relevant = 100 + q;
            var strong = Ranking(relevant, first: true, random);
            var weak = Ranking(relevant, first: false, random);
            var (keyword, vector) = keywordRight ? (strong, weak) : (weak, strong);

            keywordNdcg += Ndcg(keyword.Select(k => k.Key).ToList(), relevant);
            vectorNdcg += Ndcg(vector.Select(k => k.Key).ToList(), relevant);
            hybridNdcg += Ndcg(ScoreFusion.Default.Fuse(keyword, vector, 10).Select(f => f.Key).ToList(), relevant);
        }

        Assert.True(hybridNdcg >= Math.Max(keywordNdcg, vectorNdcg), $"hybrid {hybridNdcg / 12:F3} keyword {keywordNdcg / 12:F3} vector {vectorNdcg / 12:F3}");
        Assert.True(hybridNdcg > Math.Max(keywordNdcg, vectorNdcg));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void A_key_ranked_first_by_both_retrievers_is_first_in_the_fusion_whatever_the_weight(int seed)
    {
        var random = new Random(seed);
        for (var trial = 0; trial < 200; trial++)
        {
            var keyword = RandomList(random, top: 7);
            var vector = RandomList(random, top: 7);
            var fused = new ScoreFusion(random.NextDouble()).Fuse(keyword, vector, 5);

            Assert.Equal(7, fused[0].Key);
            Assert.Equal(Retrievers.Keyword | Retrievers.Vector, fused[0].FoundBy);
            Assert.Equal((1, 1), (fused[0].KeywordRank, fused[0].VectorRank));
        }
    }

    [Fact]
    public void Weight_zero_keeps_the_keyword_order_and_weight_one_the_vector_order()
    {
        var random = new Random(5);
        var keyword = RandomList(random, top: 1);
        var vector = RandomList(random, top: 2);

        Assert.Equal(keyword.Select(k => k.Key).Take(5), new ScoreFusion(0).Fuse(keyword, vector, 5).Select(f => f.Key));
        Assert.Equal(vector.Select(k => k.Key).Take(5), new ScoreFusion(1).Fuse(keyword, vector, 5).Select(f => f.Key));
    }

    [Fact]
    public void An_empty_side_leaves_the_other_sides_order_and_ranks()
    {
        var vector = new List<(int, double)> { (3, 0.9), (1, 0.5), (2, 0.1) };

        var fused = ScoreFusion.Default.Fuse([], vector, 10);

        Assert.Equal([3, 1, 2], fused.Select(f => f.Key));
        Assert.All(fused, f => Assert.Null(f.KeywordRank));
        Assert.Equal([1, 2, 3], fused.Select(f => f.VectorRank!.Value));
    }

    // Relevant key first, or third behind two distractors; then filler with falling scores.
    private static List<(int Key, double Score)> Ranking(int relevant, bool first, Random random)
    {
        var keys = new List<int> { random.Next(1000, 2000), random.Next(2000, 3000) };
        keys.Insert(first ? 0 : 2, relevant);
        keys.AddRange(Enumerable.Range(0, 20).Select(i => 5000 + (relevant * 100) + i));
        return keys.Select((k, i) => (k, 10.0 - (i * (0.2 + (random.NextDouble() * 0.1))))).ToList();
    }

    private static List<(int Key, double Score)> RandomList(Random random, int top)
    {
        var scores = Enumerable.Range(0, 30).Select(_ => random.NextDouble() * 10).OrderDescending().ToList();
        var keys = Enumerable.Range(100, 30).OrderBy(_ => random.Next()).ToList();
        keys.Remove(top);
        keys.Insert(0, top);
        return keys.Zip(scores).Select(p => (p.First, p.Second)).ToList();
    }

    private static double Ndcg(IReadOnlyList<int> ranked, int relevant)
    {
        var at = ranked.Take(10).ToList().IndexOf(relevant);
        return at < 0 ? 0 : 1 / Math.Log2(at + 2);
    }
}
