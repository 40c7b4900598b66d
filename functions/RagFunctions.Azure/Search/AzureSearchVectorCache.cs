using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Azure.Search;

/// <summary>
/// <see cref="IVectorCache"/> on Azure AI Search: the index already stores each chunk's vector (retrievable and stored, see
/// <see cref="AzureSearchSchema"/>) with the embedder that made it (<c>vectorModel</c>) and the hash of the text it embedded
/// (<c>textHash</c>), so one filtered query per batch finds the vectors of unchanged chunks. Nothing is stored twice and the
/// cache shrinks and grows with the index.
/// </summary>
/// <remarks>Filter: <c>vectorModel eq '…' and search.in(textHash, 'h1,h2,…')</c> (Azure AI Search OData, "search.in" with its
/// default space/comma delimiters; hashes are hex). A hash shared by many chunks can fill the page and crowd out another hash:
/// that one is embedded again, which is only slower, never wrong.</remarks>
public sealed class AzureSearchVectorCache : IVectorCache
{
    /// <summary>Hashes per query: keeps the filter short (the service caps a filter's clauses) and the page within one response.</summary>
    internal const int HashesPerQuery = 100;

    /// <summary>The service's largest page.</summary>
    private const int MaxPage = 1000;

    private readonly SearchClient _searchClient;

    public AzureSearchVectorCache(SearchIndexClient indexClient, IOptions<AzureSearchOptions> options)
    {
        ArgumentNullException.ThrowIfNull(indexClient);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Value.IndexName);
        _searchClient = indexClient.GetSearchClient(options.Value.IndexName);
    }

    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(
        string embedderId, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(embedderId);
        ArgumentNullException.ThrowIfNull(textHashes);
        var found = new Dictionary<string, ReadOnlyMemory<float>>(StringComparer.Ordinal);
        var keys = textHashes.Where(h => h is { Length: ChunkTextHash.Length } && h.All(char.IsAsciiHexDigit)).Distinct(StringComparer.Ordinal).ToArray();
        foreach (var slice in keys.Chunk(HashesPerQuery))
        {
            var options = new SearchOptions
            {
                Filter = ODataFilters.CachedVectors(embedderId, slice),
                // Room for a few chunks per hash (the same paragraph in more than one document) without paging.
                Size = Math.Min(MaxPage, slice.Length * 4),
            };
            options.Select.Add(AzureSearchSchema.TextHash);
            options.Select.Add(AzureSearchSchema.Vector);
            await SearchErrors.Guard(
                async () =>
                {
                    var response = await _searchClient.SearchAsync<ChunkSearchDocument>("*", options, cancellationToken).ConfigureAwait(false);
                    await foreach (var result in response.Value.GetResultsAsync().WithCancellation(cancellationToken).ConfigureAwait(false))
                    {
                        if (result.Document is { TextHash: { } hash, Vector: { Length: > 0 } vector })
                        {
                            found.TryAdd(hash, vector);
                        }
                    }

                    return true;
                },
                "find cached vectors",
                cancellationToken).ConfigureAwait(false);
        }

        return found;
    }
}
