using Azure.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Assessment;
using RagFunctions.Api.Chat;
using RagFunctions.Api.Health;
using RagFunctions.Api.Identity;
using RagFunctions.App.Ingestion;
using RagFunctions.Azure;
using RagFunctions.Azure.Assessment;
using RagFunctions.Azure.History;
using RagFunctions.Azure.Identity;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Storage;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.App.Hosting;

/// <summary>Wires the Functions app: the same Core/Api features as the local host, on the Azure adapters. One line per feature;
/// the order matters only where noted.</summary>
public static class AppServiceCollectionExtensions
{
    public static IServiceCollection AddRagFunctionsApp(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);

        // HTTP results: camelCase JSON (also the ASP.NET default) and problem+json, as on the local host.
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.CamelCase);
        services.AddProblemDetails();
        services.TryAddSingleton<RagFunctions.App.Http.OpenApiDocumentCache>();

        // One Entra ID credential for every Azure SDK client (managed identity on Azure); Cosmos resolves it as TokenCredential.
        services.AddAzureCredentials(configuration);
        services.TryAddSingleton<TokenCredential>(sp => sp.GetRequiredService<AzureCredentialFactory>().GetCredential());
        services.AddCallerIdentity(configuration);

        // Ingestion: Core behaviour, extraction, embeddings (before chat: it registers the real token counter), Azure AI Search.
        services.AddOptions<IngestionOptions>().Bind(configuration.GetSection(IngestionOptions.Section));
        services.AddIngestionCore();
        services.AddDocumentExtraction();
        services.AddEmbeddings(configuration);
        services.AddAzureSearchIndex(configuration);
        services.AddBlobDocuments(configuration, DocumentBlobFunctions.Container);
        services.AddBlobIngestionStaging(configuration);
        services.TryAddSingleton<DurableIngestionStarter>();

        // History and the document catalog share the Cosmos container (see CosmosDocumentCatalog).
        services.AddCosmosConversationStore(configuration);
        services.TryAddSingleton<IDocumentCatalog>(sp => new CosmosDocumentCatalog(sp.GetRequiredService<CosmosHistoryContainer>().GetContainerAsync));
        services.TryAddSingleton(sp =>
        {
            var cosmos = sp.GetRequiredService<IOptions<CosmosOptions>>().Value;
            return new HostDescription("azure-functions", $"cosmos:{cosmos.Database}/{cosmos.Container}", "cosmos");
        });

        // Chat and assessments.
        services.AddChatApi(configuration);
        services.AddAssessment(configuration, services.Any(d => d.ServiceType == typeof(IChatClientFactory))
            ? (sp, model) => sp.GetRequiredService<IChatClientFactory>().Create(model)
            : null);
        services.AddNotifications(configuration);
        services.TryAddScoped(sp => new AssessmentApiServices(
            sp.GetRequiredService<ICallerIdentityResolver>(),
            sp.GetRequiredService<AssessmentConversationService>(),
            sp.GetRequiredService<IConversationStore>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetService<INotificationReader>()));

        services.AddHostedService<MetricsToApplicationInsights>();
        return services;
    }

    /// <summary>Local defaults from Core (chunker, token counter, hashed embedder behind the resilient wrapper), with the
    /// OpenAI embedding adapter as the inner generator when <c>RagFunctions:OpenAI:EmbeddingModel</c> is configured.</summary>
    private static IServiceCollection AddEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        // Also registers the chat model factory when an endpoint is configured.
        services.AddOpenAIModels(configuration);
        if (services.Any(d => d.ServiceType == typeof(OpenAIEmbeddingGenerator)))
        {
            // AddOpenAIModels registers the raw adapter as the generator; put it inside Core's resilient wrapper instead,
            // so batching limits, 429 Retry-After handling and embedding metrics apply on Azure too.
            services.RemoveAll<IEmbeddingGenerator<string, Embedding<float>>>();
            services.UseInnerEmbeddingGenerator(sp => sp.GetRequiredService<OpenAIEmbeddingGenerator>());
        }

        return services.AddLocalEmbeddings(configuration);
    }

    /// <summary><c>chatbot_ready</c> goes to the Cosmos store first (what <c>GET /api/chat/notifications</c> reads) and then to the
    /// notifications topic; both are idempotent on the notification id, so a retried event repeats neither.</summary>
    private static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddCosmosNotifications(configuration);
        services.AddServiceBusNotifications(configuration);
        services.RemoveAll<INotificationSink>();
        services.AddSingleton<INotificationSink>(sp => new CompositeNotificationSink(
        [
            sp.GetRequiredService<CosmosNotificationStore>(),
            sp.GetRequiredService<ServiceBusNotificationSink>(),
        ]));
        return services;
    }
}
