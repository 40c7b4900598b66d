using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

public sealed class InMemoryHybridIndexTests
{
    private const int Dimensions = 8;

    private static float[] Axis(int axis, float tilt = 0)
    {
        var v = new float[Dimensions];
        v[axis % Dimensions] = 1;
        v[(axis + 1) % Dimensions] = tilt;
        return v;
    }

    private static IndexedChunk Chunk(string documentId, int ordinal, string content, float[] vector,
        IReadOnlyList<string>? owners = null, IReadOnlyList<string>? groups = null) =>
        new(new DocumentChunk(DocumentChunk.MakeId(documentId, ordinal), documentId, ordinal, content, documentId, $"{documentId}.txt",
            null, null, 0, content.Length, content.Length / 4)
        {
            OwnerIds = owners ?? [],
            GroupIds = groups ?? [],
        }, vector);

    private static InMemoryHybridIndex Sample()
    {
        var index = new InMemoryHybridIndex(Dimensions);
        index.ReplaceDocument("fruit", [
            Chunk("fruit", 0, "Apples and pears grow in the orchard near the river.", Axis(0)),
            Chunk("fruit", 1, "Bananas grow in warm climates and are shipped green.", Axis(1)),
        ]);
        index.ReplaceDocument("cars", [
            Chunk("cars", 0, "The engine of the car needs oil and a new battery.", Axis(2)),
            Chunk("cars", 1, "Electric cars charge their battery overnight.", Axis(3), owners: ["alice"]),
        ]);
        index.ReplaceDocument("secret", [
            Chunk("secret", 0, "The battery budget for the secret project.", Axis(4), groups: ["engineering"]),
        ]);
        return index;
    }

    [Fact]
    public void Hybrid_search_reports_which_retrievers_found_each_hit()
    {
        using var index = Sample();

        var hits = index.Search(new HybridQuery("orchard apples", Axis(0, 0.1f), Top: 3));

        Assert.Equal("fruit-0", hits[0].Chunk.Id);
        Assert.Equal(Retrievers.Keyword | Retrievers.Vector, hits[0].FoundBy);
        Assert.Equal(1, hits[0].KeywordRank);
        Assert.Equal(1, hits[0].VectorRank);
        // First in both lists: full share from each side of the min-max fusion (ScoreFusion).
        Assert.Equal(1.0, hits[0].Score, 1e-12);
        Assert.All(hits.Skip(1), h => Assert.Equal(Retrievers.Vector, h.FoundBy));
    }

    [Fact]
    public void Keyword_only_and_vector_only_queries_work()
    {
        using var index = Sample();

        var keyword = index.Search(new HybridQuery("bananas", ReadOnlyMemory<float>.Empty));
        var vector = index.Search(new HybridQuery("", Axis(2), Top: 1));

        Assert.Equal(["fruit-1"], keyword.Select(h => h.Chunk.Id));
        Assert.Equal(Retrievers.Keyword, keyword[0].FoundBy);
        Assert.Equal(["cars-0"], vector.Select(h => h.Chunk.Id));
        Assert.Null(vector[0].KeywordRank);
    }

    [Fact]
    public void Principal_filter_hides_restricted_chunks_from_others()
    {
        using var index = Sample();

        string Ids(IReadOnlyList<string>? principals) => string.Join(",", index
            .Search(new HybridQuery("battery", ReadOnlyMemory<float>.Empty, Top: 10, new SearchFilter(PrincipalIds: principals)))
            .Select(h => h.Chunk.Id).Order(StringComparer.Ordinal));

        Assert.Equal("cars-0", Ids([]));
        Assert.Equal("cars-0,cars-1", Ids(["alice"]));
        Assert.Equal("cars-0,secret-0", Ids(["bob", "engineering"]));
        Assert.Equal("cars-0,cars-1,secret-0", Ids(null));
    }

    [Fact]
    public void Document_filter_restricts_both_retrievers()
    {
        using var index = Sample();

        var hits = index.Search(new HybridQuery("battery", Axis(2), Top: 10, new SearchFilter(DocumentId: "secret")));
        var none = index.Search(new HybridQuery("battery", Axis(2), Top: 10, new SearchFilter(DocumentId: "unknown")));

        Assert.Equal(["secret-0"], hits.Select(h => h.Chunk.Id));
        Assert.Empty(none);
    }

    [Fact]
    public void Replace_swaps_all_chunks_and_delete_removes_them()
    {
        using var index = Sample();

        index.ReplaceDocument("fruit", [Chunk("fruit", 0, "Cherries only now.", Axis(5))]);

        Assert.Empty(index.Search(new HybridQuery("bananas apples", ReadOnlyMemory<float>.Empty)));
        Assert.Equal(["fruit-0"], index.Search(new HybridQuery("cherries", ReadOnlyMemory<float>.Empty)).Select(h => h.Chunk.Id));
        Assert.Equal(4, index.ChunkCount);
        Assert.Equal(3, index.DocumentCount);

        Assert.True(index.DeleteDocument("fruit"));
        Assert.False(index.DeleteDocument("fruit"));
        Assert.DoesNotContain(index.Search(new HybridQuery("cherries", Axis(5))), h => h.Chunk.DocumentId == "fruit");
        Assert.Equal(2, index.DocumentCount);
    }

    [Fact]
    public void Invalid_input_is_rejected()
    {
        using var index = Sample();

        Assert.Throws<ArgumentException>(() => index.ReplaceDocument("fruit", [Chunk("cars", 0, "x", Axis(0))]));
        Assert.Throws<ArgumentException>(() => index.ReplaceDocument("fruit", [Chunk("fruit", 0, "x", new float[3])]));
        Assert.Throws<ArgumentException>(() => index.Search(new HybridQuery("x", new float[3])));
        Assert.Throws<ArgumentOutOfRangeException>(() => index.Search(new HybridQuery("x", ReadOnlyMemory<float>.Empty, Top: 0)));
        // The failed replace left the old chunks in place.
        Assert.Equal(2, index.Search(new HybridQuery("grow", ReadOnlyMemory<float>.Empty)).Count);
    }

    [Fact]
    public void Bulk_load_equals_one_by_one_replace()
    {
        var random = new Random(11);
        var words = Enumerable.Range(0, 60).Select(i => "word" + i).ToArray();
        var chunks = new List<IndexedChunk>();
        for (var d = 0; d < 40; d++)
        {
            for (var o = 0; o < 5; o++)
            {
                var text = string.Join(' ', Enumerable.Range(0, 30).Select(_ => words[random.Next(words.Length)]));
                chunks.Add(Chunk("doc" + d, o, text, Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble()).ToArray()));
            }
        }

        using var bulk = new InMemoryHybridIndex(Dimensions);
        // Interleave documents: the bulk loader must regroup them.
        bulk.Load(chunks.OrderBy(c => c.Chunk.Ordinal).ToList());
        using var single = new InMemoryHybridIndex(Dimensions);
        foreach (var group in chunks.GroupBy(c => c.Chunk.DocumentId))
        {
            single.ReplaceDocument(group.Key, group.ToList());
        }

        // Prepared batches of 7 split documents across batches; the loader must regroup them too.
        using var batched = new InMemoryHybridIndex(Dimensions);
        batched.Load(chunks.Chunk(7).Select(batch => batched.Prepare(batch)).ToList());

        Assert.Equal(200, bulk.ChunkCount);
        Assert.Equal(200, batched.ChunkCount);
        Assert.Equal(40, batched.DocumentCount);
        for (var q = 0; q < 20; q++)
        {
            var query = new HybridQuery($"{words[random.Next(60)]} {words[random.Next(60)]}", chunks[random.Next(200)].Vector, Top: 10);
            var a = bulk.Search(query).Select(h => (h.Chunk.Id, Math.Round(h.Score, 12)));
            var b = single.Search(query).Select(h => (h.Chunk.Id, Math.Round(h.Score, 12)));
            Assert.Equal(b, a);
            Assert.Equal(b, batched.Search(query).Select(h => (h.Chunk.Id, Math.Round(h.Score, 12))));
        }
    }

    [Fact]
    public void Bulk_load_by_handle_ranks_like_a_load_with_content_and_keeps_filters()
    {
        var random = new Random(5);
        var words = Enumerable.Range(0, 50).Select(i => "term" + i).ToArray();
        var chunks = new List<IndexedChunk>();
        for (var d = 0; d < 30; d++)
        {
            for (var o = 0; o < 4; o++)
            {
                var text = string.Join(' ', Enumerable.Range(0, 25).Select(_ => words[random.Next(words.Length)]));
                var vector = Enumerable.Range(0, Dimensions).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
                chunks.Add(Chunk("doc" + d, o, text, d % 10 == 3 && o == 0 ? [] : vector, owners: d % 3 == 0 ? ["alice"] : null));
            }
        }

        using var eager = new InMemoryHybridIndex(Dimensions);
        eager.Load(chunks);

        // Terms as caller keys (here: positions in a term list), as a store would persist them.
        using var lazy = new InMemoryHybridIndex(Dimensions);
        var termList = new List<string>();
        var keyOf = new Dictionary<string, int>();
        var bulk = new BulkChunks(Dimensions, key => termList[key], capacity: 16);
        for (var i = 0; i < chunks.Count; i++)
        {
            var c = chunks[i];
            var terms = lazy.Analyzer.AnalyzeForIndex(c.Chunk.Content);
            bulk.Add(c.Chunk.DocumentId, 1000 + i, ChunkAccess.Of(c.Chunk), terms.Length, terms.Terms.Length, !c.Vector.IsEmpty,
                out var keys, out var frequencies, out var vector);
            for (var t = 0; t < terms.Terms.Length; t++)
            {
                if (!keyOf.TryGetValue(terms.Terms[t], out var key))
                {
                    key = termList.Count;
                    termList.Add(terms.Terms[t]);
                    keyOf.Add(terms.Terms[t], key);
                }

                keys[t] = key;
                frequencies[t] = terms.Frequencies[t];
            }

            c.Vector.Span.CopyTo(vector);
        }

        lazy.LoadBulk(bulk);
        Assert.Equal(120, lazy.ChunkCount);
        Assert.Equal(30, lazy.DocumentCount);
        SearchFilter?[] filters = [null, new SearchFilter(PrincipalIds: []), new SearchFilter(PrincipalIds: ["alice"]), new SearchFilter("doc4")];
        for (var q = 0; q < 20; q++)
        {
            var query = new HybridQuery($"{words[random.Next(50)]} {words[random.Next(50)]}", chunks[random.Next(120)].Vector, Top: 10,
                filters[q % filters.Length]);
            var expected = eager.Search(query).Select(h => (chunks.FindIndex(c => c.Chunk.Id == h.Chunk.Id) + 1000L, Math.Round(h.Score, 12), h.FoundBy));
            var ranked = lazy.SearchRanked(query);
            Assert.All(ranked, r => Assert.Null(r.Chunk));
            Assert.Equal(expected, ranked.Select(r => (r.Handle, Math.Round(r.Score, 12), r.FoundBy)));
        }

        Assert.Throws<InvalidOperationException>(() => lazy.Search(new HybridQuery(words[0], ReadOnlyMemory<float>.Empty, Top: 3)));

        // Later writes replace bulk-loaded documents as usual.
        lazy.ReplaceDocument("doc0", [Chunk("doc0", 0, "entirely new words", Axis(0))]);
        Assert.Equal("doc0-0", Assert.Single(lazy.Search(new HybridQuery("entirely", ReadOnlyMemory<float>.Empty, Top: 5))).Chunk.Id);
        Assert.Equal(117, lazy.ChunkCount);
    }

    [Fact]
    public void Bulk_chunks_must_arrive_grouped_by_document()
    {
        var bulk = new BulkChunks(Dimensions, key => "t" + key);
        bulk.Add("a", 1, null, 0, 0, false, out _, out _, out _);
        bulk.Add("b", 2, null, 0, 0, false, out _, out _, out _);
        Assert.Throws<InvalidOperationException>(() => bulk.Add("a", 3, null, 0, 0, false, out _, out _, out _));
    }

    [Fact]
    public async Task Concurrent_readers_never_see_a_mix_of_generations_or_nothing()
    {
        using var index = new InMemoryHybridIndex(Dimensions);
        index.ReplaceDocument("other", [Chunk("other", 0, "marker unrelated filler", Axis(7))]);
        const int chunksPerGeneration = 6;
        IndexedChunk[] Generation(int g) => Enumerable.Range(0, chunksPerGeneration)
            .Select(o => Chunk("doc", o, $"marker gen{g} part{o} text", Axis(o, g % 7 / 10f))).ToArray();
        index.ReplaceDocument("doc", Generation(0));

        using var stop = new CancellationTokenSource();
        var violations = 0;
        var reads = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            while (!stop.IsCancellationRequested)
            {
                var hits = index.Search(new HybridQuery("marker", Axis(0), Top: 50, new SearchFilter(DocumentId: "doc")));
                var generations = hits.Select(h => h.Chunk.Content.Split(' ')[1]).Distinct().Count();
                if (hits.Count != chunksPerGeneration || generations != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                var all = index.Search(new HybridQuery("marker", ReadOnlyMemory<float>.Empty, Top: 50));
                if (all.Count != chunksPerGeneration + 1 || all.Where(h => h.Chunk.DocumentId == "doc")
                        .Select(h => h.Chunk.Content.Split(' ')[1]).Distinct().Count() != 1)
                {
                    Interlocked.Increment(ref violations);
                }

                Interlocked.Increment(ref reads);
            }
        })).ToArray();

        // Keep writing until the readers have run plenty of queries against a changing index.
        var last = 0;
        while (last < 400 || Volatile.Read(ref reads) < 300)
        {
            index.ReplaceDocument("doc", Generation(++last));
        }

        stop.Cancel();
        await Task.WhenAll(readers);

        Assert.True(reads > 0);
        Assert.Equal(0, violations);
        Assert.Equal([$"gen{last}"], index.Search(new HybridQuery("marker", ReadOnlyMemory<float>.Empty, Top: 50, new SearchFilter("doc")))
            .Select(h => h.Chunk.Content.Split(' ')[1]).Distinct());
    }
}
