using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Core.Tests.Ingestion.Embedding;

public sealed class EmbeddingRegistrationTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, Action<IServiceCollection>? more = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddLocalEmbeddings(configuration);
        more?.Invoke(services);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Registers_the_local_stack_bound_to_configuration()
    {
        await using var provider = Build(new()
        {
            ["RagFunctions:Embedding:Dimensions"] = "96",
            ["RagFunctions:Chunking:MaxTokens"] = "64",
            ["RagFunctions:Chunking:OverlapTokens"] = "8",
        });

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        Assert.IsType<ResilientEmbeddingGenerator>(generator);
        Assert.Equal(HashedNgramEmbedder.ModelId, generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        Assert.Equal(96, (await generator.GenerateAsync(["hello"]))[0].Vector.Length);
        Assert.Same(OpenAITokenCounter.Cl100k, provider.GetRequiredService<ITokenCounter>());
        Assert.NotNull(provider.GetRequiredService<EmbeddingBatchPlanner>());

        var chunker = provider.GetRequiredService<IChunker>();
        var text = string.Join(' ', Enumerable.Repeat("word", 400));
        var chunks = chunker.Chunk(new ChunkSource("d", "p"), new(string.Empty, [new(text, Core.Ingestion.Extraction.BlockKind.Paragraph)]));
        Assert.All(chunks, c => Assert.True(c.TokenCount <= 64));
    }

    [Fact]
    public async Task The_inner_generator_can_be_replaced_and_stays_wrapped()
    {
        var replacement = new HashedNgramEmbedder(Microsoft.Extensions.Options.Options.Create(new EmbeddingOptions { Dimensions = 8 }));
        await using var provider = Build([], services => services.UseInnerEmbeddingGenerator(_ => replacement));

        var generator = provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();

        Assert.IsType<ResilientEmbeddingGenerator>(generator);
        Assert.Same(replacement, generator.GetService<HashedNgramEmbedder>());
        Assert.Equal(8, (await generator.GenerateAsync(["x"]))[0].Vector.Length);
    }

    [Fact]
    public void Invalid_options_are_refused()
    {
        using var provider = Build(new() { ["RagFunctions:Embedding:Dimensions"] = "0" });

        Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() => provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
    }
}
