using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Core.Tests.Ingestion.Embedding;

public sealed class HashedNgramEmbedderTests
{
    private static HashedNgramEmbedder Embedder(int dimensions = 384) =>
        new(Options.Create(new EmbeddingOptions { Dimensions = dimensions }));

    private static async Task<float[]> EmbedAsync(HashedNgramEmbedder embedder, string text) =>
        (await embedder.GenerateAsync([text])).Single().Vector.ToArray();

    [Fact]
    public async Task Same_text_gives_the_same_vector_across_instances()
    {
        var a = await EmbedAsync(Embedder(), "Retry-After tells the client how long to wait.");
        var b = await EmbedAsync(Embedder(), "Retry-After tells the client how long to wait.");

        Assert.Equal(a, b);
    }

    [Theory]
    [InlineData("The quick brown fox")]
    [InlineData("数据库连接失败，请稍后再试。")]
    [InlineData("Saya ingin membeli tiket kereta api 😀")]
    [InlineData("")]
    [InlineData("!!! ...")]
    public async Task Vectors_have_unit_length(string text)
    {
        var vector = await EmbedAsync(Embedder(), text);

        Assert.Equal(1.0, TensorPrimitives.Norm<float>(vector), 4);
    }

    [Theory]
    [InlineData(64)]
    [InlineData(384)]
    [InlineData(1536)]
    public async Task Configured_dimensions_are_honoured(int dimensions)
    {
        Assert.Equal(dimensions, (await EmbedAsync(Embedder(dimensions), "hello world")).Length);
    }

    [Fact]
    public async Task Per_call_dimensions_override_the_configured_ones()
    {
        var result = await Embedder().GenerateAsync(["hello world"], new EmbeddingGenerationOptions { Dimensions = 128 });

        Assert.Equal(128, result[0].Vector.Length);
    }

    [Fact]
    public async Task Similar_texts_are_closer_than_unrelated_texts()
    {
        var embedder = Embedder();
        var query = await EmbedAsync(embedder, "How do I reset my account password?");
        var similar = await EmbedAsync(embedder, "To reset the password of your account, open settings.");
        var unrelated = await EmbedAsync(embedder, "Quarterly revenue grew by twelve percent in Jakarta.");

        Assert.True(TensorPrimitives.Dot<float>(query, similar) > TensorPrimitives.Dot<float>(query, unrelated) + 0.1f);
    }

    [Fact]
    public async Task Inflected_words_share_character_ngrams()
    {
        var embedder = Embedder();
        var a = await EmbedAsync(embedder, "configuration");
        var b = await EmbedAsync(embedder, "configurations");
        var c = await EmbedAsync(embedder, "elephant");

        Assert.True(TensorPrimitives.Dot<float>(a, b) > 0.5f);
        Assert.True(TensorPrimitives.Dot<float>(a, c) < 0.3f);
    }

    [Fact]
    public async Task Case_does_not_matter()
    {
        var embedder = Embedder();
        Assert.Equal(await EmbedAsync(embedder, "Hybrid Search"), await EmbedAsync(embedder, "hybrid search"));
    }

    [Fact]
    public async Task Batch_returns_one_embedding_per_input_in_order_with_model_id()
    {
        var embedder = Embedder();
        var result = await embedder.GenerateAsync(["alpha", "beta", "gamma"]);

        Assert.Equal(3, result.Count);
        Assert.Equal(await EmbedAsync(embedder, "beta"), result[1].Vector.ToArray());
        Assert.All(result, e => Assert.Equal(HashedNgramEmbedder.ModelId, e.ModelId));
    }

    [Fact]
    public void Metadata_names_the_local_model()
    {
        IEmbeddingGenerator<string, Embedding<float>> embedder = Embedder(256);
        var metadata = embedder.GetService<EmbeddingGeneratorMetadata>();

        Assert.NotNull(metadata);
        Assert.Equal("local-hashed-ngram-v1", metadata.DefaultModelId);
        Assert.Equal(256, metadata.DefaultModelDimensions);
    }
}
