using Microsoft.Extensions.AI;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>
/// Which embedder made a vector: "model id/dimensions". Every stored vector records it (the local index's
/// <c>search_chunks.vector_model</c>, the Azure AI Search field <c>vectorModel</c>), the local index loads only the active
/// one's vectors (<see cref="Retrieval.ReembeddingProgress"/> re-embeds the rest), and the vector cache returns only vectors
/// it made. A model's query/passage prefixes belong to its definition, so the model id stands for them too.
/// </summary>
public static class EmbedderIdentity
{
    /// <summary>The identity of <paramref name="embedder"/> producing <paramref name="dimensions"/>-dimensional vectors, or null
    /// when it does not name its model (<see cref="EmbeddingGeneratorMetadata.DefaultModelId"/>): then nothing can be matched.</summary>
    public static string? Of(IEmbeddingGenerator<string, Embedding<float>>? embedder, int dimensions)
    {
        var model = (embedder?.GetService(typeof(EmbeddingGeneratorMetadata)) as EmbeddingGeneratorMetadata)?.DefaultModelId;
        return string.IsNullOrWhiteSpace(model) ? null : $"{model}/{dimensions}";
    }
}
