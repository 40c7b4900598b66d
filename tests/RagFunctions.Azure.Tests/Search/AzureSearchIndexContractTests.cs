using System.Net;
using System.Text.Json;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.Search;

public sealed class AzureSearchIndexContractTests
{
    private static IndexedChunk Chunk(string documentId, int ordinal, string content = "text", int dimensions = 4) =>
        new(
            new DocumentChunk(DocumentChunk.MakeId(documentId, ordinal), documentId, ordinal, content, "Title", "docs/a.pdf", 2, "Heading", 10 * ordinal, 10 * ordinal + 9, 3)
            {
                OwnerIds = ["alice"],
            },
            Enumerable.Range(0, dimensions).Select(i => (float)(i + ordinal) / 10).ToArray());

    private static void AssertApiVersion(RecordedRequest request)
    {
        // Vector queries with "kind" need REST 2023-11-01 or later.
        var version = request.Query("api-version");
        Assert.False(string.IsNullOrEmpty(version));
        Assert.True(string.CompareOrdinal(version, "2023-11-01") >= 0, $"api-version {version} predates vector search GA");
    }

    [Fact]
    public async Task EnsureReady_puts_the_index_schema_with_vector_profile_and_dimensions()
    {
        var fake = new SearchServiceFake();
        await fake.CreateIndex(dimensions: 1536).EnsureReadyAsync(CancellationToken.None);

        var request = Assert.Single(fake.Handler.Requests);
        Assert.Equal(HttpMethod.Put, request.Method);
        Assert.Equal("/indexes('ragfunctions-chunks')", Uri.UnescapeDataString(request.Uri.AbsolutePath));
        AssertApiVersion(request);

        var index = request.Json;
        Assert.Equal("ragfunctions-chunks", index.GetProperty("name").GetString());
        var names = index.GetProperty("fields").EnumerateArray().Select(f => f.GetProperty("name").GetString()).ToHashSet();
        foreach (var expected in new[] { "id", "content", "title", "sourcePath", "page", "heading", "ordinal", "documentId", "ownerIds", "groupIds", "vector" })
        {
            Assert.Contains(expected, names);
        }

        var id = index.Field("id");
        Assert.True(id.GetProperty("key").GetBoolean());
        Assert.Equal("Edm.String", id.GetProperty("type").GetString());

        var content = index.Field("content");
        Assert.True(content.GetProperty("searchable").GetBoolean());
        Assert.Equal("standard.lucene", content.GetProperty("analyzer").GetString());
        Assert.True(index.Field("title").GetProperty("searchable").GetBoolean());

        Assert.True(index.Field("documentId").GetProperty("filterable").GetBoolean());
        Assert.True(index.Field("ordinal").GetProperty("filterable").GetBoolean());
        Assert.Equal("Edm.Int32", index.Field("ordinal").GetProperty("type").GetString());
        foreach (var principal in new[] { "ownerIds", "groupIds" })
        {
            Assert.Equal("Collection(Edm.String)", index.Field(principal).GetProperty("type").GetString());
            Assert.True(index.Field(principal).GetProperty("filterable").GetBoolean());
        }

        var vector = index.Field("vector");
        Assert.Equal("Collection(Edm.Single)", vector.GetProperty("type").GetString());
        Assert.Equal(1536, vector.GetProperty("dimensions").GetInt32());
        var profileName = vector.GetProperty("vectorSearchProfile").GetString();

        var vectorSearch = index.GetProperty("vectorSearch");
        var profile = Assert.Single(vectorSearch.GetProperty("profiles").EnumerateArray());
        Assert.Equal(profileName, profile.GetProperty("name").GetString());
        var algorithm = Assert.Single(vectorSearch.GetProperty("algorithms").EnumerateArray());
        Assert.Equal(profile.GetProperty("algorithm").GetString(), algorithm.GetProperty("name").GetString());
        Assert.Equal("hnsw", algorithm.GetProperty("kind").GetString());
        Assert.Equal("cosine", algorithm.GetProperty("hnswParameters").GetProperty("metric").GetString());

        Assert.True(!index.TryGetProperty("semantic", out var semantic) || semantic.ValueKind == JsonValueKind.Null);

        // The vector cache reads vectors back by embedder and text hash: the vector is retrievable and both keys filterable.
        Assert.True(vector.GetProperty("retrievable").GetBoolean());
        Assert.False(vector.TryGetProperty("stored", out var stored) && stored.ValueKind == JsonValueKind.False);
        foreach (var key in new[] { "vectorModel", "textHash" })
        {
            Assert.Equal("Edm.String", index.Field(key).GetProperty("type").GetString());
            Assert.True(index.Field(key).GetProperty("filterable").GetBoolean());
        }
    }

    [Fact]
    public async Task Replace_records_the_embedder_and_the_hash_of_the_embedded_text_on_every_chunk()
    {
        var fake = new SearchServiceFake();
        var chunk = Chunk("doc", 0, "Leave requests go to the team lead.");

        await fake.CreateIndex(embedderId: "text-embedding-3-small/4").ReplaceDocumentChunksAsync("doc", [chunk], CancellationToken.None);

        var action = Assert.Single(fake.IndexBatches.First().Json.GetProperty("value").EnumerateArray());
        Assert.Equal("text-embedding-3-small/4", action.GetProperty("vectorModel").GetString());
        // SHA-256 of what the embedder read: title and heading before the text.
        var embedded = "Title › Heading\n\nLeave requests go to the team lead.";
        Assert.Equal(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(embedded))),
            action.GetProperty("textHash").GetString());
    }

    [Fact]
    public async Task Vector_cache_asks_for_the_embedders_vectors_by_text_hash_and_reads_them_back()
    {
        var h1 = new string('a', 64);
        var h2 = new string('b', 64);
        var fake = new SearchServiceFake
        {
            OnQuery = _ => Canned.Json(Canned.Serialize(new
            {
                value = new object[]
                {
                    new Dictionary<string, object> { ["@search.score"] = 1.0, ["textHash"] = h1, ["vector"] = new[] { 0.5f, -0.25f, 0f, 1f } },
                    // The same text in a second chunk: the first vector wins.
                    new Dictionary<string, object> { ["@search.score"] = 1.0, ["textHash"] = h1, ["vector"] = new[] { 9f, 9f, 9f, 9f } },
                },
            })),
        };

        var found = await fake.CreateVectorCache().FindAsync("o'model/4", [h1, h2, "not-a-hash, or', 'x"], CancellationToken.None);

        var request = Assert.Single(fake.Queries);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/indexes('ragfunctions-chunks')/docs/search.post.search", Uri.UnescapeDataString(request.Uri.AbsolutePath));
        AssertApiVersion(request);
        var body = request.Json;
        Assert.Equal("*", body.GetProperty("search").GetString());
        // Only hex hashes reach the filter, the model id is quoted, and only the key and the vector are selected.
        Assert.Equal($"vectorModel eq 'o''model/4' and search.in(textHash, '{h1},{h2}')", body.GetProperty("filter").GetString());
        Assert.Equal("textHash,vector", body.GetProperty("select").GetString());
        Assert.Equal(8, body.GetProperty("top").GetInt32());

        var hit = Assert.Single(found);
        Assert.Equal(h1, hit.Key);
        Assert.Equal([0.5f, -0.25f, 0f, 1f], hit.Value.ToArray());
    }

    [Fact]
    public async Task Vector_cache_sends_nothing_without_valid_hashes_and_reports_service_errors()
    {
        var fake = new SearchServiceFake { OnQuery = _ => Canned.Error(HttpStatusCode.ServiceUnavailable) };
        var cache = fake.CreateVectorCache();

        Assert.Empty(await cache.FindAsync("m/4", ["xyz"], CancellationToken.None));
        Assert.Empty(fake.Handler.Requests);
        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => cache.FindAsync("m/4", [new string('c', 64)], CancellationToken.None));
    }

    [Fact]
    public async Task EnsureReady_defines_the_semantic_configuration_when_configured()
    {
        var fake = new SearchServiceFake();
        await fake.CreateIndex(semanticConfiguration: "sem").EnsureReadyAsync(CancellationToken.None);

        var semantic = Assert.Single(fake.Handler.Requests).Json.GetProperty("semantic");
        var configuration = Assert.Single(semantic.GetProperty("configurations").EnumerateArray());
        Assert.Equal("sem", configuration.GetProperty("name").GetString());
        var fields = configuration.GetProperty("prioritizedFields");
        Assert.Equal("title", fields.GetProperty("titleField").GetProperty("fieldName").GetString());
        Assert.Equal("content", Assert.Single(fields.GetProperty("prioritizedContentFields").EnumerateArray()).GetProperty("fieldName").GetString());
    }

    [Fact]
    public async Task Replace_merges_or_uploads_every_chunk_then_deletes_the_stale_ordinals_only()
    {
        var fake = new SearchServiceFake { OnQuery = _ => SearchServiceFake.Ids(["o'brien-3", "o'brien-4"]) };
        var index = fake.CreateIndex();

        await index.ReplaceDocumentChunksAsync("o'brien", [Chunk("o'brien", 0), Chunk("o'brien", 1), Chunk("o'brien", 2)], CancellationToken.None);

        var requests = fake.Handler.Requests;
        Assert.Equal(3, requests.Count);
        Assert.All(requests, AssertApiVersion);

        // 1. upsert
        var upsert = requests[0];
        Assert.Equal(HttpMethod.Post, upsert.Method);
        Assert.Equal("/indexes('ragfunctions-chunks')/docs/search.index", Uri.UnescapeDataString(upsert.Uri.AbsolutePath));
        var actions = upsert.Json.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(["o'brien-0", "o'brien-1", "o'brien-2"], actions.Select(a => a.GetProperty("id").GetString()));
        Assert.All(actions, a => Assert.Equal("mergeOrUpload", a.GetProperty("@search.action").GetString()));
        var first = actions[1];
        Assert.Equal("o'brien", first.GetProperty("documentId").GetString());
        Assert.Equal(1, first.GetProperty("ordinal").GetInt32());
        Assert.Equal("text", first.GetProperty("content").GetString());
        Assert.Equal("Title", first.GetProperty("title").GetString());
        Assert.Equal("docs/a.pdf", first.GetProperty("sourcePath").GetString());
        Assert.Equal(2, first.GetProperty("page").GetInt32());
        Assert.Equal("Heading", first.GetProperty("heading").GetString());
        Assert.Equal(["alice"], first.GetProperty("ownerIds").Strings());
        Assert.Empty(first.GetProperty("groupIds").EnumerateArray());
        Assert.Equal([0.1f, 0.2f, 0.3f, 0.4f], first.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));

        // 2. stale lookup: quotes in the id are doubled, ordinals from the new count upward
        var lookup = requests[1].Json;
        Assert.Equal("documentId eq 'o''brien' and ordinal ge 3", lookup.GetProperty("filter").GetString());
        Assert.Equal("id", lookup.GetProperty("select").GetString());
        Assert.Equal("ordinal asc", lookup.GetProperty("orderby").GetString());

        // 3. delete by key only
        var delete = requests[2];
        Assert.EndsWith("/docs/search.index", delete.Uri.AbsolutePath, StringComparison.Ordinal);
        var deletions = delete.Json.GetProperty("value").EnumerateArray().ToList();
        Assert.Equal(["o'brien-3", "o'brien-4"], deletions.Select(a => a.GetProperty("id").GetString()));
        Assert.All(deletions, a =>
        {
            Assert.Equal("delete", a.GetProperty("@search.action").GetString());
            Assert.Equal(["@search.action", "id"], a.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal));
        });
    }

    [Fact]
    public async Task Replace_without_stale_chunks_sends_no_delete()
    {
        var fake = new SearchServiceFake();
        await fake.CreateIndex().ReplaceDocumentChunksAsync("d", [Chunk("d", 0)], CancellationToken.None);

        Assert.Single(fake.IndexBatches);
        Assert.Single(fake.Queries);
    }

    [Fact]
    public async Task Replace_splits_batches_by_document_count()
    {
        var fake = new SearchServiceFake();
        var chunks = Enumerable.Range(0, 5).Select(i => Chunk("d", i)).ToList();

        await fake.CreateIndex(maxBatchDocuments: 2).ReplaceDocumentChunksAsync("d", chunks, CancellationToken.None);

        var batches = fake.IndexBatches.Select(b => b.Json.GetProperty("value").EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList()).ToList();
        Assert.Equal([2, 2, 1], batches.Select(b => b.Count));
        Assert.Equal(chunks.Select(c => c.Chunk.Id), batches.SelectMany(b => b));
    }

    [Fact]
    public async Task Replace_splits_batches_by_serialized_size()
    {
        var fake = new SearchServiceFake();
        var big = new string('x', 2000);
        var chunks = Enumerable.Range(0, 4).Select(i => Chunk("d", i, big)).ToList();

        // Room for two 2 kB chunks per request, not three.
        await fake.CreateIndex(maxBatchBytes: 5000).ReplaceDocumentChunksAsync("d", chunks, CancellationToken.None);

        var batches = fake.IndexBatches.ToList();
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(2, b.Json.GetProperty("value").GetArrayLength()));
        Assert.All(batches, b => Assert.True(b.Body!.Length < 5000 + 500, $"batch of {b.Body!.Length} chars"));
    }

    [Fact]
    public async Task Replace_rejects_vectors_of_the_wrong_size_before_sending()
    {
        var fake = new SearchServiceFake();
        await Assert.ThrowsAsync<ArgumentException>(() =>
            fake.CreateIndex(dimensions: 8).ReplaceDocumentChunksAsync("d", [Chunk("d", 0, dimensions: 4)], CancellationToken.None));
        Assert.Empty(fake.Handler.Requests);
    }

    [Fact]
    public async Task Replace_reports_rejected_actions()
    {
        var fake = new SearchServiceFake
        {
            OnIndex = r => Canned.Json("""{"value":[{"key":"d-0","status":false,"errorMessage":"bad field","statusCode":400}]}""", (HttpStatusCode)207),
        };

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            fake.CreateIndex().ReplaceDocumentChunksAsync("d", [Chunk("d", 0)], CancellationToken.None));
        Assert.Contains("bad field", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_pages_through_all_ids_of_the_document_and_deletes_them_in_batches()
    {
        var pageOne = Enumerable.Range(0, 1000).Select(i => $"d-{i}").ToList();
        var pageTwo = Enumerable.Range(1000, 3).Select(i => $"d-{i}").ToList();
        var fake = new SearchServiceFake();
        fake.OnQuery = r => r.Json.TryGetProperty("skip", out var skip) && skip.GetInt32() == 1000
            ? SearchServiceFake.Ids(pageTwo)
            : SearchServiceFake.Ids(pageOne);

        await fake.CreateIndex().DeleteDocumentAsync("d", CancellationToken.None);

        var queries = fake.Queries.Select(q => q.Json).ToList();
        Assert.Equal(2, queries.Count);
        Assert.All(queries, q => Assert.Equal("documentId eq 'd'", q.GetProperty("filter").GetString()));
        Assert.All(queries, q => Assert.Equal(1000, q.GetProperty("top").GetInt32()));

        var deleted = fake.IndexBatches.Select(b => b.Json.GetProperty("value").EnumerateArray().ToList()).ToList();
        Assert.Equal([1000, 3], deleted.Select(d => d.Count));
        Assert.Equal(pageOne.Concat(pageTwo), deleted.SelectMany(d => d).Select(a => a.GetProperty("id").GetString()));
        Assert.All(deleted.SelectMany(d => d), a => Assert.Equal("delete", a.GetProperty("@search.action").GetString()));
    }

    [Fact]
    public async Task Delete_of_an_unknown_document_sends_no_delete()
    {
        var fake = new SearchServiceFake();
        await fake.CreateIndex().DeleteDocumentAsync("nothing", CancellationToken.None);
        Assert.Empty(fake.IndexBatches);
    }

    [Fact]
    public async Task Hybrid_search_sends_text_vector_query_filter_and_maps_hits()
    {
        var fake = new SearchServiceFake
        {
            OnQuery = _ => Canned.Json("""
                {"value":[
                  {"@search.score":0.033,"id":"d-1","content":"alpha","title":"T","sourcePath":"a.md","page":null,"heading":"H","ordinal":1,"documentId":"d","startOffset":5,"endOffset":9,"tokenCount":2,"ownerIds":["alice"],"groupIds":[]},
                  {"@search.score":0.016,"id":"e-0","content":"beta","title":"U","sourcePath":"b.md","page":3,"heading":null,"ordinal":0,"documentId":"e","startOffset":0,"endOffset":4,"tokenCount":1,"ownerIds":[],"groupIds":["g1"]}
                ]}
                """),
        };
        var query = new HybridQuery("alpha beta", new float[] { 1, 0, 0, 0 }, Top: 5, new SearchFilter(PrincipalIds: ["alice", "g1"]));

        var hits = await fake.CreateIndex().SearchAsync(query, CancellationToken.None);

        var request = Assert.Single(fake.Queries);
        Assert.Equal("/indexes('ragfunctions-chunks')/docs/search.post.search", Uri.UnescapeDataString(request.Uri.AbsolutePath));
        AssertApiVersion(request);
        var body = request.Json;
        Assert.Equal("alpha beta", body.GetProperty("search").GetString());
        Assert.Equal(5, body.GetProperty("top").GetInt32());
        Assert.Equal(
            "((not ownerIds/any() and not groupIds/any()) or ownerIds/any(o: search.in(o, 'alice,g1')) or groupIds/any(g: search.in(g, 'alice,g1')))",
            body.GetProperty("filter").GetString());
        var select = body.GetProperty("select").GetString()!.Split(',');
        Assert.DoesNotContain("vector", select);
        Assert.Contains("content", select);
        Assert.Contains("ownerIds", select);

        var vectorQuery = Assert.Single(body.GetProperty("vectorQueries").EnumerateArray());
        Assert.Equal("vector", vectorQuery.GetProperty("kind").GetString());
        Assert.Equal(50, vectorQuery.GetProperty("k").GetInt32());
        Assert.Equal("vector", vectorQuery.GetProperty("fields").GetString());
        Assert.Equal([1f, 0f, 0f, 0f], vectorQuery.GetProperty("vector").EnumerateArray().Select(v => v.GetSingle()));
        Assert.False(body.TryGetProperty("queryType", out _));

        Assert.Equal(2, hits.Count);
        var hit = hits[0];
        Assert.Equal(0.033, hit.Score, 6);
        Assert.Equal(Retrievers.Keyword | Retrievers.Vector, hit.FoundBy);
        Assert.Null(hit.KeywordRank);
        Assert.Null(hit.VectorRank);
        Assert.Equal(new DocumentChunk("d-1", "d", 1, "alpha", "T", "a.md", null, "H", 5, 9, 2), hit.Chunk with { OwnerIds = [], GroupIds = [] });
        Assert.Equal(["alice"], hit.Chunk.OwnerIds);
        Assert.Equal(3, hits[1].Chunk.Page);
        Assert.Equal(["g1"], hits[1].Chunk.GroupIds);
    }

    [Fact]
    public async Task Search_k_follows_top_when_top_exceeds_fifty_and_document_filter_is_combined()
    {
        var fake = new SearchServiceFake();
        await fake.CreateIndex().SearchAsync(
            new HybridQuery("q", new float[] { 0, 1, 0, 0 }, Top: 80, new SearchFilter("it's", [])), CancellationToken.None);

        var body = Assert.Single(fake.Queries).Json;
        Assert.Equal(80, body.GetProperty("vectorQueries")[0].GetProperty("k").GetInt32());
        Assert.Equal("documentId eq 'it''s' and ((not ownerIds/any() and not groupIds/any()))", body.GetProperty("filter").GetString());
    }

    [Fact]
    public async Task Keyword_only_search_has_no_vector_query_and_uses_semantic_ranking_when_configured()
    {
        var fake = new SearchServiceFake
        {
            OnQuery = _ => Canned.Json("""{"value":[{"@search.score":1.5,"@search.rerankerScore":2.75,"id":"d-0","content":"c","title":"t","sourcePath":"s","ordinal":0,"documentId":"d","startOffset":0,"endOffset":1,"tokenCount":1,"ownerIds":[],"groupIds":[]}]}"""),
        };

        var hits = await fake.CreateIndex(semanticConfiguration: "sem").SearchAsync(new HybridQuery("words", ReadOnlyMemory<float>.Empty), CancellationToken.None);

        var body = Assert.Single(fake.Queries).Json;
        Assert.False(body.TryGetProperty("vectorQueries", out _));
        Assert.False(body.TryGetProperty("filter", out _));
        Assert.Equal("semantic", body.GetProperty("queryType").GetString());
        Assert.Equal("sem", body.GetProperty("semanticConfiguration").GetString());
        var hit = Assert.Single(hits);
        Assert.Equal(Retrievers.Keyword, hit.FoundBy);
        Assert.Equal(2.75, hit.Score, 6);
    }

    [Fact]
    public async Task Vector_only_search_sends_no_search_text()
    {
        var fake = new SearchServiceFake();
        var hits = await fake.CreateIndex(semanticConfiguration: "sem").SearchAsync(new HybridQuery("  ", new float[] { 0, 0, 1, 0 }), CancellationToken.None);

        var body = Assert.Single(fake.Queries).Json;
        Assert.True(!body.TryGetProperty("search", out var search) || search.ValueKind == JsonValueKind.Null);
        Assert.False(body.TryGetProperty("queryType", out _));
        Assert.Single(body.GetProperty("vectorQueries").EnumerateArray());
        Assert.Empty(hits);
    }

    [Fact]
    public async Task Empty_query_sends_nothing()
    {
        var fake = new SearchServiceFake();
        var hits = await fake.CreateIndex().SearchAsync(new HybridQuery("", ReadOnlyMemory<float>.Empty), CancellationToken.None);
        Assert.Empty(hits);
        Assert.Empty(fake.Handler.Requests);
    }

    [Fact]
    public async Task Stats_count_chunks_and_distinct_documents()
    {
        var fake = new SearchServiceFake
        {
            DocumentCount = 42,
            OnQuery = _ => Canned.Json("""{"@search.facets":{"documentId":[{"value":"a","count":40},{"value":"b","count":2}]},"value":[]}"""),
        };

        var stats = await fake.CreateIndex(dimensions: 1536).GetStatsAsync(CancellationToken.None);

        Assert.Equal(new IndexStats(2, 42, 1536, "azure-ai-search"), stats);
        var count = Assert.Single(fake.Handler.Requests, r => r.Method == HttpMethod.Get);
        Assert.Equal("/indexes('ragfunctions-chunks')/docs/$count", Uri.UnescapeDataString(count.Uri.AbsolutePath));
        var facetQuery = Assert.Single(fake.Queries).Json;
        Assert.Equal(0, facetQuery.GetProperty("top").GetInt32());
        Assert.StartsWith("documentId,count:", facetQuery.GetProperty("facets")[0].GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Throttling_becomes_rate_limited_with_the_servers_hint()
    {
        var fake = new SearchServiceFake { OnQuery = _ => Canned.Error((HttpStatusCode)429, headers: ("Retry-After", "7")) };

        var error = await Assert.ThrowsAsync<RateLimitedProblemException>(() =>
            fake.CreateIndex().SearchAsync(new HybridQuery("q", ReadOnlyMemory<float>.Empty), CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task Service_errors_become_upstream_unavailable()
    {
        var fake = new SearchServiceFake { OnIndex = _ => Canned.Error(HttpStatusCode.ServiceUnavailable) };

        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() =>
            fake.CreateIndex().ReplaceDocumentChunksAsync("d", [Chunk("d", 0)], CancellationToken.None));
    }
}
