using Microsoft.Extensions.AI;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>What a local embedder answers to <see cref="IEmbeddingGenerator.GetService"/>: its metadata (model id,
/// dimensions), its fusion weight for hybrid search, its window when it reads a fixed number of tokens, and itself.
/// Keyed requests get nothing, as the Microsoft.Extensions.AI contract asks of unkeyed services.</summary>
public static class EmbedderServices
{
    public static object? Get(
        object embedder, Type serviceType, object? serviceKey, EmbeddingGeneratorMetadata metadata, ScoreFusion fusion, EmbeddingWindow? window = null)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(EmbeddingGeneratorMetadata))
        {
            return metadata;
        }

        if (serviceType == typeof(ScoreFusion))
        {
            return fusion;
        }

        if (window is not null && serviceType == typeof(EmbeddingWindow))
        {
            return window;
        }

        return serviceType.IsInstanceOfType(embedder) ? embedder : null;
    }
}
