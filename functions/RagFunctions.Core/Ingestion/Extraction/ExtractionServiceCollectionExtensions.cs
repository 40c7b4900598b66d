using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Ingestion.Extraction.Pdf;

namespace RagFunctions.Core.Ingestion.Extraction;

public static class ExtractionServiceCollectionExtensions
{
    /// <summary>Registers every format extractor as <see cref="IDocumentExtractor"/> and the composite
    /// <see cref="DocumentExtractor"/> that ingestion calls; all stateless singletons.</summary>
    public static IServiceCollection AddDocumentExtraction(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
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
