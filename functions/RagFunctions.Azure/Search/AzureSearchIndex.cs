using System.Text.Json;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Azure.Search.Documents.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Azure.Search;

/// <summary>
/// <see cref="ISearchIndex"/> on Azure AI Search. The service fuses the keyword and vector legs of a hybrid query with
/// Reciprocal Rank Fusion itself, so hits carry the service's fused score and no per-leg ranks.
/// </summary>
/// <remarks>
/// Replacing a document's chunks is "upsert by key, then delete stale ordinals": Azure AI Search has no multi-document
/// transaction, so for a moment after a shrinking re-ingest a reader may see the new chunks next to old chunks with higher
/// ordinals; it never sees the document with no chunks at all.
/// </remarks>
public sealed partial class AzureSearchIndex : ISearchIndex
{
    /// <summary>The service's per-request document limit.</summary>
    internal const int DefaultMaxBatchDocuments = 1000;

    /// <summary>Indexing requests are capped at 16 MB by the service; keep a margin for JSON framing and headers.</summary>
    internal const long DefaultMaxBatchBytes = 12L * 1024 * 1024;

    /// <summary>Largest page the service returns for one query.</summary>
    private const int IdPageSize = 1000;

    /// <summary>Distinct documents counted for stats; beyond this the count is a lower bound.</summary>
    internal const int MaxDocumentFacetCount = 100_000;

    private static readonly JsonSerializerOptions SizingJson = new();

    private readonly SearchIndexClient _indexClient;
    private readonly SearchClient _searchClient;
    private readonly AzureSearchOptions _options;
    private readonly int _dimensions;
    private readonly ILogger<AzureSearchIndex> _logger;
    private readonly int _maxBatchDocuments;
    private readonly long _maxBatchBytes;
    private readonly string? _embedderId;

    /// <param name="embedder">The active embedder: each chunk records it (<see cref="EmbedderIdentity"/>) for the vector cache.</param>
    public AzureSearchIndex(
        SearchIndexClient indexClient,
        IOptions<AzureSearchOptions> options,
        IOptions<EmbeddingOptions> embeddingOptions,
        ILogger<AzureSearchIndex> logger,
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>? embedder = null)
        : this(indexClient, options.Value, embeddingOptions.Value.Dimensions, logger, DefaultMaxBatchDocuments, DefaultMaxBatchBytes,
            EmbedderIdentity.Of(embedder, embeddingOptions.Value.Dimensions))
    {
    }

    internal AzureSearchIndex(
        SearchIndexClient indexClient,
        AzureSearchOptions options,
        int dimensions,
        ILogger<AzureSearchIndex> logger,
        int maxBatchDocuments,
        long maxBatchBytes,
        string? embedderId = null)
    {
        ArgumentNullException.ThrowIfNull(indexClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.IndexName);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchDocuments, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatchBytes, 1);
        _indexClient = indexClient;
        _options = options;
        _dimensions = dimensions;
        _logger = logger;
        _maxBatchDocuments = Math.Min(maxBatchDocuments, DefaultMaxBatchDocuments);
        _maxBatchBytes = maxBatchBytes;
        _embedderId = embedderId;
        _searchClient = indexClient.GetSearchClient(options.IndexName);
    }

    public Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        var index = AzureSearchSchema.Build(_options.IndexName, _dimensions, _options.SemanticConfiguration);
        return SearchErrors.Guard(
            async () =>
            {
                // allowIndexDowntime stays false: a schema change that needs downtime (e.g. new analyzer) should fail loudly,
                // not take the index offline in production.
                await _indexClient.CreateOrUpdateIndexAsync(index, allowIndexDowntime: false, onlyIfUnchanged: false, cancellationToken)
                    .ConfigureAwait(false);
                LogIndexReady(_options.IndexName, _dimensions);
                return true;
            },
            "create or update index",
            cancellationToken);
    }

    public async Task ReplaceDocumentChunksAsync(string documentId, IReadOnlyList<IndexedChunk> chunks, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        ArgumentNullException.ThrowIfNull(chunks);

        var documents = new List<ChunkSearchDocument>(chunks.Count);
        foreach (var indexed in chunks)
        {
            if (!string.Equals(indexed.Chunk.DocumentId, documentId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Chunk '{indexed.Chunk.Id}' belongs to '{indexed.Chunk.DocumentId}', not '{documentId}'.", nameof(chunks));
            }

            if (indexed.Vector.Length != _dimensions)
            {
                throw new ArgumentException(
                    $"Chunk '{indexed.Chunk.Id}' has a {indexed.Vector.Length}-dimensional vector; the index expects {_dimensions}.", nameof(chunks));
            }

            documents.Add(ToDocument(indexed, _embedderId));
        }

        foreach (var batch in Batch(documents))
        {
            await IndexAsync(IndexDocumentsBatch.MergeOrUpload(batch), "merge or upload chunks", cancellationToken).ConfigureAwait(false);
        }

        // Ordinals are dense (0..n-1), so everything at or beyond the new count is left over from a longer version.
        var stale = await FindIdsAsync(ODataFilters.StaleChunks(documentId, chunks.Count), cancellationToken).ConfigureAwait(false);
        await DeleteIdsAsync(stale, cancellationToken).ConfigureAwait(false);
        LogReplaced(documentId, chunks.Count, stale.Count);
    }

    public async Task DeleteDocumentAsync(string documentId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentId);
        var ids = await FindIdsAsync(ODataFilters.DocumentEquals(documentId), cancellationToken).ConfigureAwait(false);
        await DeleteIdsAsync(ids, cancellationToken).ConfigureAwait(false);
        LogDeleted(documentId, ids.Count);
    }

    public Task<IReadOnlyList<SearchHit>> SearchAsync(HybridQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var hasText = !string.IsNullOrWhiteSpace(query.Text);
        var hasVector = !query.Vector.IsEmpty;
        if ((!hasText && !hasVector) || query.Top <= 0)
        {
            return Task.FromResult<IReadOnlyList<SearchHit>>([]);
        }

        if (hasVector && query.Vector.Length != _dimensions)
        {
            throw new ArgumentException($"The query vector has {query.Vector.Length} dimensions; the index expects {_dimensions}.", nameof(query));
        }

        var options = BuildSearchOptions(query, hasText, hasVector);
        var foundBy = (hasText ? Retrievers.Keyword : Retrievers.None) | (hasVector ? Retrievers.Vector : Retrievers.None);

        return SearchErrors.Guard<IReadOnlyList<SearchHit>>(
            async () =>
            {
                var response = await _searchClient.SearchAsync<ChunkSearchDocument>(hasText ? query.Text : null, options, cancellationToken)
                    .ConfigureAwait(false);
                var hits = new List<SearchHit>(query.Top);
                await foreach (var result in response.Value.GetResultsAsync().WithCancellation(cancellationToken).ConfigureAwait(false))
                {
                    // With semantic ranking the order follows the reranker, so its score is the one that explains the order.
                    var score = result.SemanticSearch?.RerankerScore ?? result.Score ?? 0d;
                    hits.Add(new SearchHit(ToChunk(result.Document), score, foundBy, KeywordRank: null, VectorRank: null));
                    if (hits.Count >= query.Top)
                    {
                        break;
                    }
                }

                return hits;
            },
            "hybrid search",
            cancellationToken);
    }

    public Task<IndexStats> GetStatsAsync(CancellationToken cancellationToken) =>
        SearchErrors.Guard(
            async () =>
            {
                var chunkCount = await _searchClient.GetDocumentCountAsync(cancellationToken).ConfigureAwait(false);
                var facets = new SearchOptions { Size = 0 };
                facets.Facets.Add($"{AzureSearchSchema.DocumentId},count:{MaxDocumentFacetCount}");
                var response = await _searchClient.SearchAsync<ChunkSearchDocument>("*", facets, cancellationToken).ConfigureAwait(false);
                long documentCount = response.Value.Facets is { } all && all.TryGetValue(AzureSearchSchema.DocumentId, out var values)
                    ? values.Count
                    : 0;
                return new IndexStats(documentCount, chunkCount.Value, _dimensions, "azure-ai-search");
            },
            "index statistics",
            cancellationToken);

    internal SearchOptions BuildSearchOptions(HybridQuery query, bool hasText, bool hasVector)
    {
        var options = new SearchOptions
        {
            Size = query.Top,
            Filter = ODataFilters.Build(query.Filter),
        };
        foreach (var field in AzureSearchSchema.RetrievableFields)
        {
            options.Select.Add(field);
        }

        if (hasVector)
        {
            // k above top gives RRF a deeper vector list to fuse with the keyword list (the service's own guidance is k ≈ 50
            // for hybrid); the response is still cut to Size.
            var vectorQuery = new VectorizedQuery(query.Vector) { KNearestNeighborsCount = Math.Max(50, query.Top) };
            vectorQuery.Fields.Add(AzureSearchSchema.Vector);
            options.VectorSearch = new VectorSearchOptions();
            options.VectorSearch.Queries.Add(vectorQuery);
        }

        if (hasText && !string.IsNullOrWhiteSpace(_options.SemanticConfiguration))
        {
            options.QueryType = SearchQueryType.Semantic;
            options.SemanticSearch = new SemanticSearchOptions { SemanticConfigurationName = _options.SemanticConfiguration };
        }

        return options;
    }

    /// <summary>Splits into requests of at most the document limit and the byte budget (measured on the serialized JSON).</summary>
    internal IEnumerable<List<ChunkSearchDocument>> Batch(IReadOnlyList<ChunkSearchDocument> documents)
    {
        var batch = new List<ChunkSearchDocument>();
        long bytes = 0;
        foreach (var document in documents)
        {
            var size = JsonSerializer.SerializeToUtf8Bytes(document, SizingJson).LongLength;
            if (batch.Count > 0 && (batch.Count >= _maxBatchDocuments || bytes + size > _maxBatchBytes))
            {
                yield return batch;
                batch = [];
                bytes = 0;
            }

            batch.Add(document);
            bytes += size;
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }

    private async Task<List<string>> FindIdsAsync(string filter, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        for (var skip = 0; ; skip += IdPageSize)
        {
            var options = new SearchOptions { Filter = filter, Size = IdPageSize, Skip = skip };
            options.Select.Add(AzureSearchSchema.Id);
            options.OrderBy.Add($"{AzureSearchSchema.Ordinal} asc");
            var page = await SearchErrors.Guard(
                async () =>
                {
                    var response = await _searchClient.SearchAsync<ChunkSearchDocument>("*", options, cancellationToken).ConfigureAwait(false);
                    var found = new List<string>();
                    await foreach (var result in response.Value.GetResultsAsync().WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        found.Add(result.Document.Id);
                    }

                    return found;
                },
                "find chunk ids",
                cancellationToken).ConfigureAwait(false);

            ids.AddRange(page);
            if (page.Count < IdPageSize)
            {
                return ids;
            }
        }
    }

    private async Task DeleteIdsAsync(IReadOnlyList<string> ids, CancellationToken cancellationToken)
    {
        foreach (var chunk in ids.Chunk(_maxBatchDocuments))
        {
            await IndexAsync(IndexDocumentsBatch.Delete(AzureSearchSchema.Id, chunk), "delete chunks", cancellationToken)
                .ConfigureAwait(false);
        }
    }

    private Task IndexAsync<T>(IndexDocumentsBatch<T> batch, string operation, CancellationToken cancellationToken) =>
        SearchErrors.Guard(
            async () =>
            {
                var response = await _searchClient.IndexDocumentsAsync(batch, new IndexDocumentsOptions { ThrowOnAnyError = false }, cancellationToken)
                    .ConfigureAwait(false);
                var failed = response.Value.Results.Where(r => !r.Succeeded).ToList();
                if (failed.Count == 0)
                {
                    return true;
                }

                var first = failed[0];
                var detail = $"{failed.Count} of {response.Value.Results.Count} index actions failed ({operation}); first: key '{first.Key}', HTTP {first.Status}, {first.ErrorMessage}";
                // 409/422/503 per item are transient in the service's own documentation; anything else is a request we got wrong.
                if (failed.All(r => r.Status is 409 or 422 or 429 or 503))
                {
                    throw new UpstreamUnavailableProblemException(detail);
                }

                throw new InvalidOperationException(detail);
            },
            operation,
            cancellationToken);

    private static ChunkSearchDocument ToDocument(IndexedChunk indexed, string? embedderId)
    {
        var chunk = indexed.Chunk;
        return new ChunkSearchDocument
        {
            Id = chunk.Id,
            Content = chunk.Content,
            Title = chunk.Title,
            SourcePath = chunk.SourcePath,
            Page = chunk.Page,
            Heading = chunk.Heading,
            Ordinal = chunk.Ordinal,
            DocumentId = chunk.DocumentId,
            StartOffset = chunk.StartOffset,
            EndOffset = chunk.EndOffset,
            TokenCount = chunk.TokenCount,
            OwnerIds = [.. chunk.OwnerIds],
            GroupIds = [.. chunk.GroupIds],
            Vector = indexed.Vector.ToArray(),
            // The vector cache's key; without a known embedder the chunk is never served from the cache.
            VectorModel = embedderId,
            TextHash = embedderId is null ? null : ChunkTextHash.Of(chunk),
        };
    }

    private static DocumentChunk ToChunk(ChunkSearchDocument document) =>
        new(
            document.Id,
            document.DocumentId,
            document.Ordinal,
            document.Content,
            document.Title,
            document.SourcePath,
            document.Page,
            document.Heading,
            document.StartOffset,
            document.EndOffset,
            document.TokenCount)
        {
            OwnerIds = [.. document.OwnerIds ?? []],
            GroupIds = [.. document.GroupIds ?? []],
        };

    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Azure AI Search index {IndexName} is ready ({Dimensions} dimensions)")]
    private partial void LogIndexReady(string indexName, int dimensions);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Indexed {ChunkCount} chunks of {DocumentId} and removed {StaleCount} stale chunks")]
    private partial void LogReplaced(string documentId, int chunkCount, int staleCount);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Removed {ChunkCount} chunks of {DocumentId}")]
    private partial void LogDeleted(string documentId, int chunkCount);
}
