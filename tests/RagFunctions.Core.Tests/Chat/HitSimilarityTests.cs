using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Chat;

/// <summary>The vector relevance check reads the hits' vectors the index already holds (through the vector cache) and embeds
/// only the hits it does not know.</summary>
public sealed class HitSimilarityTests
{
    private const string Model = "toy-model";

    /// <summary>Embeds every text to (0, 1) and records what it was asked to embed.</summary>
    private sealed class CountingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Embedded { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToList();
            Embedded.AddRange(texts);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(texts.Select(_ => new Embedding<float>(new float[] { 0, 1 }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("toy", null, Model, 2) : null;

        public void Dispose()
        {
        }
    }

    private static SearchHit Hit(string id, string content) =>
        new(new DocumentChunk(id, "doc", 0, content, "Guide", "guide.md", null, "Setup", 0, content.Length, 5), 1, Retrievers.Keyword, 1, null);

    [Fact]
    public async Task Stored_vectors_are_used_and_only_unknown_hits_are_embedded()
    {
        var known = Hit("doc-0", "The server listens on port 5432.");
        var unknown = Hit("doc-1", "Logs rotate daily.");
        var cache = new Mock<IVectorCache>();
        cache.Setup(c => c.FindAsync($"{Model}/2", It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new Dictionary<string, ReadOnlyMemory<float>> { [ChunkTextHash.Of(known.Chunk)] = new float[] { 1, 0 } });
        var embedder = new CountingEmbedder();
        var retriever = new SourceRetriever(Mock.Of<ISearchIndex>(), embedder, NullLogger<SourceRetriever>.Instance, cache.Object);

        var similarities = await retriever.SimilaritiesAsync(
            new RetrievalResult([known, unknown], true, 0, 0) { QueryVector = new float[] { 1, 0 } }, CancellationToken.None);

        // The stored vector (1, 0) matches the query exactly; the embedded one (0, 1) is orthogonal to it.
        Assert.Equal([1.0, 0.0], similarities!.Select(s => Math.Round(s, 6)));
        Assert.Equal([ChunkContext.Contextualise(unknown.Chunk)], embedder.Embedded);
    }

    [Fact]
    public async Task Without_a_cache_or_when_its_lookup_fails_every_hit_is_embedded()
    {
        var hits = new[] { Hit("doc-0", "The server listens on port 5432."), Hit("doc-1", "Logs rotate daily.") };
        var failing = new Mock<IVectorCache>();
        failing.Setup(c => c.FindAsync(It.IsAny<string>(), It.IsAny<IReadOnlyCollection<string>>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new IOException("database locked"));

        foreach (var cache in new[] { null, failing.Object })
        {
            var embedder = new CountingEmbedder();
            var similarities = await new SourceRetriever(Mock.Of<ISearchIndex>(), embedder, NullLogger<SourceRetriever>.Instance, cache)
                .SimilaritiesAsync(new RetrievalResult(hits, true, 0, 0) { QueryVector = new float[] { 0, 1 } }, CancellationToken.None);

            Assert.Equal([1.0, 1.0], similarities!.Select(s => Math.Round(s, 6)));
            Assert.Equal(2, embedder.Embedded.Count);
        }
    }
}
