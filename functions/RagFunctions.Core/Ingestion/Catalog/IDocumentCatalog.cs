namespace RagFunctions.Core.Ingestion.Catalog;

/// <summary>Document records and their status.</summary>
public interface IDocumentCatalog
{
    Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>All documents, most recently queued first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken);

    Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken);

    Task DeleteAsync(string documentId, CancellationToken cancellationToken);
}
