using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class ReciprocalRankFusionTests
{
    private static double Rrf(params int[] ranks) => ranks.Sum(r => 1.0 / (60 + r));

    [Fact]
    public void Scores_are_the_sum_of_reciprocal_ranks_with_k_60()
    {
        string[] keyword = ["a", "b", "c"];
        string[] vector = ["c", "d", "a"];

        var fused = ReciprocalRankFusion.Fuse(keyword, vector, top: 10);

        // a: keyword 1 + vector 3; c: keyword 3 + vector 1 (equal score, ties go to... both have best rank 1 → keyword order: a first).
        var expected = new (string Key, double Score, Retrievers By, int? K, int? V)[]
        {
            ("a", Rrf(1, 3), Retrievers.Keyword | Retrievers.Vector, 1, 3),
            ("c", Rrf(3, 1), Retrievers.Keyword | Retrievers.Vector, 3, 1),
            ("b", Rrf(2), Retrievers.Keyword, 2, null),
            ("d", Rrf(2), Retrievers.Vector, null, 2),
        };
        Assert.Equal(expected.Length, fused.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Key, fused[i].Key);
            Assert.Equal(expected[i].Score, fused[i].Score, 1e-12);
            Assert.Equal(expected[i].By, fused[i].FoundBy);
            Assert.Equal(expected[i].K, fused[i].KeywordRank);
            Assert.Equal(expected[i].V, fused[i].VectorRank);
        }
    }

    [Fact]
    public void A_document_found_by_both_beats_one_found_once_at_a_better_rank()
    {
        // x is 1st for keyword only; y is 5th in both lists: 2/(65) > 1/(61).
        string[] keyword = ["x", "k2", "k3", "k4", "y"];
        string[] vector = ["v1", "v2", "v3", "v4", "y"];

        var fused = ReciprocalRankFusion.Fuse(keyword, vector, top: 3);

        Assert.Equal(3, fused.Count);
        Assert.Equal("y", fused[0].Key);
        Assert.Equal(Rrf(5, 5), fused[0].Score, 1e-12);
        Assert.True(Rrf(5, 5) > Rrf(1));
        Assert.Equal("x", fused[1].Key);
        Assert.Equal("v1", fused[2].Key);
    }

    [Fact]
    public void Single_retriever_keeps_its_order_and_custom_k_applies()
    {
        var fused = ReciprocalRankFusion.Fuse(Array.Empty<int>(), [7, 3, 9], top: 2, k: 10);

        Assert.Equal([7, 3], fused.Select(f => f.Key));
        Assert.Equal(1.0 / 11, fused[0].Score, 1e-12);
        Assert.Equal(1.0 / 12, fused[1].Score, 1e-12);
        Assert.All(fused, f => Assert.Equal(Retrievers.Vector, f.FoundBy));
    }

    [Fact]
    public void Each_retriever_contributes_at_least_50()
    {
        Assert.Equal(50, ReciprocalRankFusion.RetrieverDepth(5));
        Assert.Equal(120, ReciprocalRankFusion.RetrieverDepth(120));
    }
}
