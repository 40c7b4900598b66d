using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Retrieval;

/// <summary>A chunk with its embedding, ready for the index.</summary>
public sealed record IndexedChunk(DocumentChunk Chunk, ReadOnlyMemory<float> Vector);

/// <summary>Restricts a query. A chunk passes the principal filter when it has no owner/group restriction or shares an id with <see cref="PrincipalIds"/>.</summary>
public sealed record SearchFilter(string? DocumentId = null, IReadOnlyList<string>? PrincipalIds = null);

/// <summary>Which retrievers found a hit.</summary>
[Flags]
public enum Retrievers
{
    None = 0,
    Keyword = 1,
    Vector = 2,
}

/// <summary>A hybrid query: keyword text and/or a vector, fused with Reciprocal Rank Fusion.</summary>
/// <param name="Vector">Query embedding; empty means keyword only.</param>
/// <param name="Text">Keyword text; empty means vector only.</param>
public sealed record HybridQuery(string Text, ReadOnlyMemory<float> Vector, int Top = 5, SearchFilter? Filter = null);

/// <summary>One result: fused score, and the 1-based rank each retriever gave it (null when that retriever did not return it).</summary>
public sealed record SearchHit(DocumentChunk Chunk, double Score, Retrievers FoundBy, int? KeywordRank, int? VectorRank);

/// <summary>What the index holds and what engine serves it.</summary>
public sealed record IndexStats(long DocumentCount, long ChunkCount, int Dimensions, string Engine);

/// <summary>The hybrid (keyword + vector) index: Azure AI Search on Azure, an in-memory engine over SQLite locally.</summary>
public interface ISearchIndex
{
    /// <summary>Creates or updates the schema / loads persisted state. Idempotent.</summary>
    Task EnsureReadyAsync(CancellationToken cancellationToken);

    /// <summary>Makes <paramref name="chunks"/> the document's only chunks: upserts them and removes ordinals beyond them.
    /// Readers never see a mix of old and new chunks where the backend allows it (local: yes; Azure: upsert by key then delete stale).</summary>
    Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken);

    /// <summary>Removes every chunk of the document. Deleting an unknown document is not an error.</summary>
    Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken);

    Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken);

    Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken);
}
