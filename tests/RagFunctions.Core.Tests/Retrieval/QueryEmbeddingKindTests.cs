using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Retrieval;

/// <summary>Asymmetric models (arctic-embed) need to know a query from a passage: both retrieval paths must say "query".</summary>
public sealed class QueryEmbeddingKindTests
{
    private sealed class RecordingEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<EmbeddingGenerationOptions?> Calls { get; } = [];

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls.Add(options);
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1, 0 }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private static Mock<ISearchIndex> Index()
    {
        var index = new Mock<ISearchIndex>();
        index.Setup(i => i.SearchAsync(It.IsAny<HybridQuery>(), It.IsAny<CancellationToken>())).ReturnsAsync([]);
        return index;
    }

    [Fact]
    public async Task The_search_endpoints_retriever_embeds_the_text_as_a_query()
    {
        var embedder = new RecordingEmbedder();

        await new HybridRetriever(embedder, Index().Object).RetrieveAsync("dewey decimal", 5, null, CancellationToken.None);

        Assert.True(EmbeddingInput.IsQuery(Assert.Single(embedder.Calls)));
    }

    [Fact]
    public async Task The_chat_pipelines_retriever_embeds_the_text_as_a_query()
    {
        var embedder = new RecordingEmbedder();

        await new SourceRetriever(Index().Object, embedder, NullLogger<SourceRetriever>.Instance)
            .RetrieveAsync("dewey decimal", new CallerIdentity("alice", null, [], "test"), 5, CancellationToken.None);

        Assert.True(EmbeddingInput.IsQuery(Assert.Single(embedder.Calls)));
        Assert.False(EmbeddingInput.IsQuery(null));
    }
}
