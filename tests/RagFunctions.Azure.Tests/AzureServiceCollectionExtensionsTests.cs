using RagFunctions.Core.Ingestion.Embedding;
using Azure.Search.Documents.Indexes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Moq;
using RagFunctions.Azure.Identity;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Search;
using RagFunctions.Azure.Tests.Http;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Azure.Tests;

public sealed class AzureServiceCollectionExtensionsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    private static ServiceCollection Services()
    {
        var services = new ServiceCollection();
        services.AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance);
        services.AddSingleton(typeof(ILogger<>), typeof(Logger<>));
        // Never the real credential chain in a test.
        services.AddSingleton(AzureCredentialFactory.FromCredential(new FixedTokenCredential()));
        return services;
    }

    [Fact]
    public void Nothing_is_registered_without_endpoints_so_local_defaults_stay()
    {
        var local = Mock.Of<ISearchIndex>();
        var services = Services();
        services.AddSingleton(local);

        services.AddAzureSearchIndex(Config()).AddOpenAIModels(Config(("RagFunctions:OpenAI:EmbeddingModel", "m")));

        using var provider = services.BuildServiceProvider();
        Assert.Same(local, provider.GetRequiredService<ISearchIndex>());
        Assert.Null(provider.GetService<IChatClientFactory>());
        Assert.Null(provider.GetService<IEmbeddingGenerator<string, Embedding<float>>>());
    }

    [Fact]
    public void Configured_search_replaces_the_local_index()
    {
        var services = Services();
        services.AddSingleton(Mock.Of<ISearchIndex>());

        services.AddAzureSearchIndex(Config(
            ("RagFunctions:AzureSearch:Endpoint", "https://x.search.windows.net"),
            ("RagFunctions:AzureSearch:IndexName", "custom"),
            ("RagFunctions:Embedding:Dimensions", "1536")));

        using var provider = services.BuildServiceProvider();
        Assert.IsType<AzureSearchIndex>(provider.GetRequiredService<ISearchIndex>());
        Assert.Single(services, d => d.ServiceType == typeof(ISearchIndex));
        // The ingestion's vector cache reads the same index.
        Assert.IsType<AzureSearchVectorCache>(provider.GetRequiredService<RagFunctions.Core.Ingestion.Embedding.IVectorCache>());
        Assert.Single(services, d => d.ServiceType == typeof(RagFunctions.Core.Ingestion.Embedding.IVectorCache));
        Assert.Equal(new Uri("https://x.search.windows.net"), provider.GetRequiredService<SearchIndexClient>().Endpoint);
    }

    [Fact]
    public void Configured_models_register_the_chat_factory_and_the_embedder()
    {
        var services = Services();
        var config = Config(
            ("RagFunctions:OpenAI:Endpoint", "http://localhost:11434/v1"),
            ("RagFunctions:OpenAI:Kind", "compatible"),
            ("RagFunctions:OpenAI:EmbeddingModel", "nomic-embed-text"),
            ("RagFunctions:Embedding:Dimensions", "768"));
        services.AddLocalEmbeddings(config);
        services.AddOpenAIModels(config);

        using var provider = services.BuildServiceProvider();
        Assert.IsType<OpenAIChatClientFactory>(provider.GetRequiredService<IChatClientFactory>());
        // The OpenAI adapter replaces the local embedder as the inner generator; the resilient wrapper stays outside.
        Assert.IsType<ResilientEmbeddingGenerator>(provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        var embedder = provider.GetRequiredKeyedService<IEmbeddingGenerator<string, Embedding<float>>>(EmbeddingServiceCollectionExtensions.InnerGeneratorKey);
        Assert.IsType<OpenAIEmbeddingGenerator>(embedder);
        var metadata = embedder.GetService<EmbeddingGeneratorMetadata>();
        Assert.Equal("nomic-embed-text", metadata?.DefaultModelId);
        Assert.Equal(768, metadata?.DefaultModelDimensions);
    }

    [Fact]
    public void Chat_only_configuration_leaves_the_local_embedder()
    {
        var local = Mock.Of<IEmbeddingGenerator<string, Embedding<float>>>();
        var services = Services();
        services.AddSingleton(local);
        services.AddOpenAIModels(Config(("RagFunctions:OpenAI:Endpoint", "https://res.openai.azure.com/")));

        using var provider = services.BuildServiceProvider();
        Assert.Same(local, provider.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>());
        Assert.NotNull(provider.GetRequiredService<IChatClientFactory>().Create("gpt-4o-mini"));
    }
}
