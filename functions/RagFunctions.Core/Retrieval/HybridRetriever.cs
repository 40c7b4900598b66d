using Microsoft.Extensions.AI;

namespace RagFunctions.Core.Retrieval;

/// <summary>Query text → embedding → hybrid search. The one way the search endpoint and the chat pipeline retrieve.</summary>
public sealed class HybridRetriever(IEmbeddingGenerator<string, Embedding<float>> embedder, ISearchIndex index)
{
    public async Task<IReadOnlyList<SearchHit>> RetrieveAsync(string query, int top, SearchFilter? filter, CancellationToken cancellationToken)
    {
        var embedding = await embedder.GenerateAsync(query, Ingestion.Embedding.EmbeddingInput.ForQuery(), cancellationToken);
        return await index.SearchAsync(new HybridQuery(query, embedding.Vector, top, filter), cancellationToken);
    }
}
