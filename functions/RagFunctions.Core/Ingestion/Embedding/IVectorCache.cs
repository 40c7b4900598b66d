namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>
/// Vectors already made, keyed by (<see cref="EmbedderIdentity"/>, <see cref="ChunkTextHash"/>): the embedding activity asks
/// for a batch's hashes at once and embeds only the misses, so an edited document re-embeds only its changed chunks.
/// </summary>
/// <remarks>
/// Both hosts' adapters read the vectors their search index already stores (each chunk records its embedder and text hash),
/// so the index write that ends a run is the cache write: there is no second copy of any vector, the cache holds exactly
/// what the index holds (bounded, pruned by every replace and delete) and it survives restarts with the index. A miss is
/// never wrong, only slower; a hit must be a vector the named embedder made for exactly that text.
/// </remarks>
public interface IVectorCache
{
    /// <summary>The vectors <paramref name="embedderId"/> made for texts with these hashes; a hash absent from the answer is a miss.
    /// Vectors of any other embedder are never returned.</summary>
    Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(
        string embedderId, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken);
}

/// <summary>The cache of a host whose index cannot give vectors back: every lookup misses and every chunk is embedded.</summary>
public sealed class NoVectorCache : IVectorCache
{
    private static readonly IReadOnlyDictionary<string, ReadOnlyMemory<float>> None = new Dictionary<string, ReadOnlyMemory<float>>();

    public Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(
        string embedderId, IReadOnlyCollection<string> textHashes, CancellationToken cancellationToken) => Task.FromResult(None);
}
