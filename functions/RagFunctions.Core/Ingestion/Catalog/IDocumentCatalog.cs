namespace RagFunctions.Core.Ingestion.Catalog;

/// <summary>Document records and their status.</summary>
public interface IDocumentCatalog
{
    Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>All documents, most recently queued first.</summary>
    Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken);

    Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken);

    Task DeleteAsync(string documentId, CancellationToken cancellationToken);

    /// <summary>Every document whose <see cref="DocumentRecord.ContentHash"/> is <paramref name="contentHash"/> (duplicate
    /// detection). Stores answer from an index on the hash; this fallback reads the whole catalog.</summary>
    async Task<IReadOnlyList<DocumentRecord>> FindByContentHashAsync(string contentHash, CancellationToken cancellationToken) =>
        [.. (await ListAsync(cancellationToken)).Where(r => string.Equals(r.ContentHash, contentHash, StringComparison.Ordinal))];
}
