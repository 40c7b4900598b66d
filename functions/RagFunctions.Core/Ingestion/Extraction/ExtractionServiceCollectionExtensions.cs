using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Extraction.Pdf;

namespace RagFunctions.Core.Ingestion.Extraction;

public static class ExtractionServiceCollectionExtensions
{
    /// <summary>Registers every format extractor as <see cref="IDocumentExtractor"/> and the composite
    /// <see cref="DocumentExtractor"/> that ingestion calls; all stateless singletons.</summary>
    public static IServiceCollection AddDocumentExtraction(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        // Bound from the host's configuration when there is one (tests may build extraction without any).
        services.AddOptions<IngestionLimits>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<IngestionLimits>, IngestionLimitsFromConfiguration>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, PlainTextExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, MarkdownExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, HtmlExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, CsvExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, JsonExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, DocxExtractor>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IDocumentExtractor, PdfExtractor>());
        services.TryAddSingleton<DocumentExtractor>();
        return services;
    }
}

/// <summary>Binds <see cref="IngestionLimits"/> from <c>RagFunctions:Ingestion:Limits</c> when the host has configuration.</summary>
internal sealed class IngestionLimitsFromConfiguration(IConfiguration? configuration = null) : IConfigureOptions<IngestionLimits>
{
    public void Configure(IngestionLimits options) => configuration?.GetSection(IngestionLimits.Section).Bind(options);
}
