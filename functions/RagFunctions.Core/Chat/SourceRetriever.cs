using System.Diagnostics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Common;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Chat;

/// <summary>What retrieval found and how.</summary>
/// <param name="VectorUsed">False when the embedder failed and the query ran keyword-only.</param>
public sealed record RetrievalResult(IReadOnlyList<SearchHit> Hits, bool VectorUsed, double EmbeddingMs, double SearchMs)
{
    /// <summary>The query's embedding (empty when embedding failed), for <see cref="SourceRetriever.SimilaritiesAsync"/>.</summary>
    public ReadOnlyMemory<float> QueryVector { get; init; }
}

/// <summary>Step 4: hybrid retrieval for the question, trimmed to what the caller may read (<see cref="CallerIdentity.PrincipalIds"/>).</summary>
/// <param name="vectorCache">The index's stored vectors by text hash (<see cref="Ingestion.Embedding.IVectorCache"/>): the relevance
/// check reads the hits' vectors from it instead of embedding them again. Optional: without it the hits are embedded.</param>
public sealed class SourceRetriever(
    ISearchIndex index,
    IEmbeddingGenerator<string, Embedding<float>> embedder,
    ILogger<SourceRetriever> logger,
    Ingestion.Embedding.IVectorCache? vectorCache = null)
{
    public async Task<RetrievalResult> RetrieveAsync(string query, CallerIdentity caller, int top, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        ReadOnlyMemory<float> vector = default;
        var vectorUsed = true;
        try
        {
            vector = await embedder.GenerateVectorAsync(query, Ingestion.Embedding.EmbeddingInput.ForQuery(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A keyword-only answer beats no answer; the diagnostics record the degradation.
            logger.LogWarning(ex, "Query embedding failed; retrieving with keywords only");
            vectorUsed = false;
        }

        var embeddingMs = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        try
        {
            var hits = await index.SearchAsync(new HybridQuery(query, vector, top, new SearchFilter(PrincipalIds: caller.PrincipalIds)), cancellationToken)
                .ConfigureAwait(false);
            // The index trims by ids alone; the document rule also tells a user id from a group id and covers chunks indexed
            // before they carried readers, so a citation never names a document the caller may not read.
            hits = [.. hits.Where(h => Ingestion.Access.DocumentAccess.CanRead(caller, h.Chunk.SourcePath))];
            return new RetrievalResult(hits, vectorUsed, embeddingMs, clock.Elapsed.TotalMilliseconds) { QueryVector = vector };
        }
        catch (Exception ex) when (ex is not ProblemException && (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested))
        {
            throw new UpstreamUnavailableProblemException("The search index is unavailable.", ex);
        }
    }

    /// <summary>Cosine similarity between the query and each hit's vector as the index holds it (title, heading, content). Fused
    /// search scores are rank-based, and Azure AI Search does not return a hybrid query's vector similarity, so the vectors are
    /// read back from the index through the vector cache (one lookup by text hash), and only hits it does not know (indexed before
    /// text hashes were stored, or by another model) are embedded now, in one batch. The pipeline asks only when the lexical
    /// floor found nothing. Null when there is no query vector or embedding fails (the lexical verdict stands).</summary>
    public async Task<IReadOnlyList<double>?> SimilaritiesAsync(RetrievalResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.QueryVector.IsEmpty || result.Hits.Count == 0)
        {
            return null;
        }

        try
        {
            var texts = result.Hits.Select(h => Ingestion.Chunking.ChunkContext.Contextualise(h.Chunk)).ToArray();
            var hashes = texts.Select(Ingestion.Embedding.ChunkTextHash.Of).ToArray();
            var stored = await StoredVectorsAsync(hashes, result.QueryVector.Length, cancellationToken).ConfigureAwait(false);
            var vectors = new ReadOnlyMemory<float>[texts.Length];
            var missing = new List<int>();
            for (var i = 0; i < texts.Length; i++)
            {
                if (stored.TryGetValue(hashes[i], out var vector) && vector.Length == result.QueryVector.Length)
                {
                    vectors[i] = vector;
                }
                else
                {
                    missing.Add(i);
                }
            }

            if (missing.Count > 0)
            {
                var embedded = await embedder.GenerateAsync(missing.Select(i => texts[i]), cancellationToken: cancellationToken).ConfigureAwait(false);
                for (var m = 0; m < missing.Count; m++)
                {
                    vectors[missing[m]] = embedded[m].Vector;
                }
            }

            return [.. vectors.Select(v => (double)System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(result.QueryVector.Span, v.Span))];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Embedding the hits for the vector relevance check failed; the lexical check stands");
            return null;
        }
    }

    /// <summary>The hits' stored vectors by text hash; empty without a cache, for an embedder that does not name its model, or
    /// when the lookup fails (the hits are then embedded).</summary>
    private async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> StoredVectorsAsync(
        IReadOnlyCollection<string> hashes, int dimensions, CancellationToken cancellationToken)
    {
        if (vectorCache is null || Ingestion.Embedding.EmbedderIdentity.Of(embedder, dimensions) is not { } identity)
        {
            return new Dictionary<string, ReadOnlyMemory<float>>();
        }

        try
        {
            return await vectorCache.FindAsync(identity, hashes, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Reading the hits' stored vectors failed; embedding them instead");
            return new Dictionary<string, ReadOnlyMemory<float>>();
        }
    }
}
