using Azure.Search.Documents.Indexes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.Identity;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Search;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Azure;

/// <summary>
/// Wiring for the Azure adapters. Each method registers nothing when its endpoint is not configured, so a host can call them
/// unconditionally after its local defaults: configured Azure services replace the local ones, unconfigured ones leave them.
/// </summary>
public static class AzureServiceCollectionExtensions
{
    /// <summary>The shared Entra ID credential (<see cref="AzureCredentialFactory"/>), bound from <c>RagFunctions:Identity</c>. Safe to call repeatedly.</summary>
    public static IServiceCollection AddAzureCredentials(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AzureIdentityOptions>().Bind(configuration.GetSection(AzureIdentityOptions.Section));
        services.TryAddSingleton<AzureCredentialFactory>();
        return services;
    }

    /// <summary>
    /// <see cref="ISearchIndex"/> on Azure AI Search when <c>RagFunctions:AzureSearch:Endpoint</c> is set (keyless: Entra ID).
    /// Vector dimensions come from <c>RagFunctions:Embedding:Dimensions</c>. Also the <see cref="IVectorCache"/> (<see cref="AzureSearchVectorCache"/>).
    /// </summary>
    public static IServiceCollection AddAzureSearchIndex(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(AzureSearchOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(AzureSearchOptions.Endpoint)]))
        {
            return services;
        }

        services.AddAzureCredentials(configuration);
        services.AddOptions<AzureSearchOptions>().Bind(section);
        services.AddOptions<EmbeddingOptions>().Bind(configuration.GetSection(EmbeddingOptions.Section));
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<AzureSearchOptions>>().Value;
            return new SearchIndexClient(new Uri(options.Endpoint!), sp.GetRequiredService<AzureCredentialFactory>().GetCredential());
        });
        services.RemoveAll<ISearchIndex>();
        services.AddSingleton<AzureSearchIndex>();
        services.AddSingleton<ISearchIndex>(sp => sp.GetRequiredService<AzureSearchIndex>());
        // The index stores each chunk's vector with its embedder and text hash: it is the ingestion's vector cache.
        services.RemoveAll<IVectorCache>();
        services.AddSingleton<IVectorCache, AzureSearchVectorCache>();
        return services;
    }

    /// <summary>
    /// Models behind <c>RagFunctions:OpenAI:Endpoint</c> (Azure OpenAI with Entra ID, or an OpenAI-compatible server):
    /// <see cref="IChatClientFactory"/> for the chat fallback chain, and — when <c>EmbeddingModel</c> is set — the
    /// <see cref="IEmbeddingGenerator{TInput,TEmbedding}"/> (the raw adapter: Core's resilient wrapper decorates it).
    /// </summary>
    public static IServiceCollection AddOpenAIModels(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(OpenAIOptions.Section);
        if (string.IsNullOrWhiteSpace(section[nameof(OpenAIOptions.Endpoint)]))
        {
            return services;
        }

        services.AddAzureCredentials(configuration);
        services.AddOptions<OpenAIOptions>().Bind(section);
        services.AddOptions<EmbeddingOptions>().Bind(configuration.GetSection(EmbeddingOptions.Section));
        services.TryAddSingleton<OpenAIClientFactory>();

        services.RemoveAll<IChatClientFactory>();
        services.AddSingleton<IChatClientFactory, OpenAIChatClientFactory>();

        if (!string.IsNullOrWhiteSpace(section[nameof(OpenAIOptions.EmbeddingModel)]))
        {
            services.AddSingleton(sp =>
            {
                var options = sp.GetRequiredService<IOptions<OpenAIOptions>>().Value;
                var model = options.EmbeddingModel!.Trim();
                return new OpenAIEmbeddingGenerator(
                    sp.GetRequiredService<OpenAIClientFactory>().GetEmbeddingClient(model),
                    model,
                    sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value.Dimensions,
                    OpenAIClientFactory.ResolveEndpoint(options),
                    sp.GetService<ILogger<OpenAIEmbeddingGenerator>>());
            });
            // The OpenAI adapter becomes the inner generator: Core's resilient wrapper (retries honouring Retry-After, metrics) stays outside it.
            services.UseInnerEmbeddingGenerator(sp => sp.GetRequiredService<OpenAIEmbeddingGenerator>());
        }

        return services;
    }
}
