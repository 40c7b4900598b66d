using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class VectorIndexTests
{
    private static float[] Gaussian(Random random, int dimensions)
    {
        var v = new float[dimensions];
        for (var i = 0; i < dimensions; i++)
        {
            // Box–Muller.
            v[i] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
        }

        return v;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    [Theory]
    [InlineData(384)]
    [InlineData(100)]
    public void Int8_scan_with_exact_rescoring_recalls_the_exact_top_10(int dimensions)
    {
        var random = new Random(42);
        var index = new VectorIndex(dimensions);
        var vectors = new List<float[]>();
        // Clustered data (like real embeddings): 50 centres, points scattered around them.
        var centres = Enumerable.Range(0, 50).Select(_ => Gaussian(random, dimensions)).ToArray();
        for (var slot = 0; slot < 4000; slot++)
        {
            var centre = centres[random.Next(centres.Length)];
            var noise = Gaussian(random, dimensions);
            var v = centre.Zip(noise, (c, e) => c + 0.8f * e).ToArray();
            vectors.Add(v);
            index.Add(slot, v);
        }

        var found = 0;
        var queries = 60;
        for (var q = 0; q < queries; q++)
        {
            var centre = centres[random.Next(centres.Length)];
            var query = centre.Zip(Gaussian(random, dimensions), (c, e) => c + 0.8f * e).ToArray();
            var exact = vectors.Select((v, slot) => (slot, score: Cosine(query, v)))
                .OrderByDescending(x => x.score).Take(10).Select(x => x.slot).ToHashSet();

            var hits = index.Search(query, 10);

            Assert.Equal(10, hits.Count);
            found += hits.Count(h => exact.Contains(h.Slot));
            // Returned scores are exact cosines, best first.
            foreach (var hit in hits)
            {
                Assert.Equal(Cosine(query, vectors[hit.Slot]), hit.Score, 1e-4);
            }

            Assert.True(hits.Zip(hits.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        }

        var recall = found / (10.0 * queries);
        Assert.True(recall >= 0.95, $"recall@10 = {recall:F3}");
    }

    [Fact]
    public void Pure_random_vectors_still_recall_the_exact_top_10()
    {
        var random = new Random(3);
        const int dimensions = 384;
        var index = new VectorIndex(dimensions);
        var vectors = Enumerable.Range(0, 3000).Select(_ => Gaussian(random, dimensions)).ToList();
        for (var slot = 0; slot < vectors.Count; slot++)
        {
            index.Add(slot, vectors[slot]);
        }

        var found = 0;
        for (var q = 0; q < 40; q++)
        {
            var query = Gaussian(random, dimensions);
            var exact = vectors.Select((v, slot) => (slot, score: Cosine(query, v)))
                .OrderByDescending(x => x.score).Take(10).Select(x => x.slot).ToHashSet();
            found += index.Search(query, 10).Count(h => exact.Contains(h.Slot));
        }

        Assert.True(found / 400.0 >= 0.95, $"recall@10 = {found / 400.0:F3}");
    }

    [Fact]
    public void Removed_and_filtered_vectors_are_not_returned_and_compaction_keeps_slots()
    {
        var random = new Random(5);
        var index = new VectorIndex(16);
        var vectors = Enumerable.Range(0, 300).Select(_ => Gaussian(random, 16)).ToArray();
        for (var slot = 0; slot < vectors.Length; slot++)
        {
            index.Add(slot, vectors[slot]);
        }

        // Removing more than a third triggers compaction, which moves rows.
        for (var slot = 0; slot < 200; slot++)
        {
            Assert.True(index.Remove(slot));
        }

        Assert.False(index.Remove(0));
        Assert.Equal(100, index.Count);
        for (var slot = 200; slot < 300; slot++)
        {
            var hits = index.Search(vectors[slot], 1);
            Assert.Equal(slot, hits[0].Slot);
            Assert.Equal(1.0, hits[0].Score, 1e-5);
        }

        var even = index.Search(vectors[201], 20, s => s % 2 == 0);
        Assert.All(even, h => Assert.True(h.Slot % 2 == 0 && h.Slot >= 200));
    }

    [Fact]
    public void Wrong_dimensions_are_rejected_and_zero_query_returns_nothing()
    {
        var index = new VectorIndex(4);
        Assert.Throws<ArgumentException>(() => index.Add(0, new float[3]));
        index.Add(0, [1, 0, 0, 0]);
        Assert.Throws<ArgumentException>(() => index.Search(new float[5], 1));
        Assert.Empty(index.Search(new float[4], 1));
    }
}
