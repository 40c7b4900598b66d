using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class Bm25IndexTests
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>Exhaustive BM25 straight from the formula, over the live documents only.</summary>
    private static List<(int Slot, double Score)> BruteForce(
        IReadOnlyDictionary<int, string[]> live, IReadOnlyList<string> query, int top, Func<int, bool>? accept = null)
    {
        var n = live.Count;
        var averageLength = live.Values.Average(d => (double)d.Length);
        // A term named q times in the query weighs q times (query term frequency).
        var queryFrequency = query.GroupBy(t => t).ToDictionary(g => g.Key, g => g.Count());
        var distinct = queryFrequency.Keys.ToArray();
        var df = distinct.ToDictionary(t => t, t => live.Values.Count(d => d.Contains(t)));
        var scored = new List<(int Slot, double Score)>();
        foreach (var (slot, doc) in live)
        {
            if (accept is not null && !accept(slot))
            {
                continue;
            }

            var score = 0.0;
            var matched = false;
            foreach (var term in distinct)
            {
                var tf = doc.Count(t => t == term);
                if (tf == 0)
                {
                    continue;
                }

                matched = true;
                var idf = Math.Log(1 + (n - df[term] + 0.5) / (df[term] + 0.5));
                score += queryFrequency[term] * idf * tf * (K1 + 1) / (tf + K1 * (1 - B + B * doc.Length / averageLength));
            }

            if (matched)
            {
                scored.Add((slot, score));
            }
        }

        return scored.OrderByDescending(s => s.Score).ThenBy(s => s.Slot).Take(top).ToList();
    }

    private static string[] RandomDocument(Random random, int vocabulary)
    {
        var length = random.Next(1, 80);
        var doc = new string[length];
        for (var i = 0; i < length; i++)
        {
            // Skewed (roughly Zipf-like) term choice: a few very common terms, a long tail.
            var rank = (int)Math.Floor(Math.Pow(vocabulary, random.NextDouble())) - 1;
            doc[i] = "t" + rank;
        }

        return doc;
    }

    /// <summary>The pruned result must have the exhaustive top-k scores, rank by rank, and each returned slot must really score that.</summary>
    private static void AssertSameTopK(List<(int Slot, double Score)> exhaustive, int top, IReadOnlyList<ScoredSlot> actual)
    {
        var expected = exhaustive.Take(top).ToList();
        var bySlot = exhaustive.ToDictionary(s => s.Slot, s => s.Score);
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Score, actual[i].Score, 1e-9);
            Assert.Equal(bySlot[actual[i].Slot], actual[i].Score, 1e-9);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 5)]
    [InlineData(3, 10)]
    [InlineData(4, 50)]
    public void Pruned_top_k_equals_exhaustive_top_k_on_random_corpora(int seed, int top)
    {
        var random = new Random(seed);
        var index = new Bm25Index(K1, B);
        var live = new Dictionary<int, string[]>();
        for (var slot = 0; slot < 1500; slot++)
        {
            var doc = RandomDocument(random, 300);
            index.Add(slot, doc);
            live[slot] = doc;
        }

        for (var q = 0; q < 40; q++)
        {
            // Drawn from a narrow range half of the time, so queries often repeat a term.
            var range = q % 2 == 0 ? 300 : 8;
            var query = Enumerable.Range(0, random.Next(1, 7)).Select(_ => "t" + random.Next(0, range)).ToArray();
            AssertSameTopK(BruteForce(live, query, int.MaxValue), top, index.Search(query, top));
        }
    }

    [Fact]
    public void Removal_and_filters_keep_results_exact()
    {
        var random = new Random(7);
        var index = new Bm25Index(K1, B);
        var live = new Dictionary<int, string[]>();
        var slot = 0;
        for (var round = 0; round < 6; round++)
        {
            for (var i = 0; i < 300; i++, slot++)
            {
                var doc = RandomDocument(random, 200);
                index.Add(slot, doc);
                live[slot] = doc;
            }

            // Remove a random 20 % (enough over the rounds to trigger automatic compaction).
            foreach (var victim in live.Keys.Where(_ => random.NextDouble() < 0.2).ToList())
            {
                Assert.True(index.Remove(victim));
                live.Remove(victim);
            }

            Assert.Equal(live.Count, index.DocumentCount);
            for (var q = 0; q < 15; q++)
            {
                var query = Enumerable.Range(0, random.Next(1, 6)).Select(_ => "t" + random.Next(0, 200)).ToArray();
                Func<int, bool> odd = s => s % 2 == 1;
                AssertSameTopK(BruteForce(live, query, int.MaxValue), 10, index.Search(query, 10));
                AssertSameTopK(BruteForce(live, query, int.MaxValue, odd), 10, index.Search(query, 10, odd));
            }
        }
    }

    [Fact]
    public void Removed_documents_are_never_returned_and_removing_twice_is_false()
    {
        var index = new Bm25Index();
        index.Add(0, ["apple", "pie"]);
        index.Add(1, ["apple", "juice"]);

        Assert.True(index.Remove(0));
        Assert.False(index.Remove(0));

        Assert.Equal([1], index.Search(["apple", "pie"], 10).Select(h => h.Slot));
    }

    [Fact]
    public void A_repeated_query_term_weighs_as_often_as_it_is_repeated()
    {
        var index = new Bm25Index();
        index.Add(0, ["catalog", "library", "map"]);
        index.Add(1, ["catalog", "catalog", "catalog"]);
        index.Add(2, ["library", "garden", "evening"]);
        index.Add(3, ["library", "children", "evening"]);

        var once = index.Search(["library"], 10).Single(h => h.Slot == 0).Score;
        var single = index.Search(["catalog", "library"], 10);
        var repeated = index.Search(["catalog", "library", "library", "library"], 10);

        // Document 1 repeats the rarer "catalog" and leads the plain query; naming "library" three times puts document 0 first.
        Assert.Equal([1, 0], single.Take(2).Select(h => h.Slot));
        Assert.Equal([0, 1], repeated.Take(2).Select(h => h.Slot));
        Assert.Equal(single.Single(h => h.Slot == 0).Score + 2 * once, repeated.Single(h => h.Slot == 0).Score, 1e-9);
        Assert.Equal(single.Single(h => h.Slot == 1).Score, repeated.Single(h => h.Slot == 1).Score, 1e-9);
    }

    [Fact]
    public void Slots_must_grow()
    {
        var index = new Bm25Index();
        index.Add(5, ["a"]);

        Assert.Throws<ArgumentOutOfRangeException>(() => index.Add(3, ["b"]));
    }

    [Fact]
    public void Unknown_terms_and_empty_index_return_nothing()
    {
        var index = new Bm25Index();
        Assert.Empty(index.Search(["x"], 5));
        index.Add(0, ["a"]);
        Assert.Empty(index.Search(["zzz"], 5));
    }
}
