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
public sealed class SourceRetriever(ISearchIndex index, IEmbeddingGenerator<string, Embedding<float>> embedder, ILogger<SourceRetriever> logger)
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

    /// <summary>Cosine similarity between the query and each hit, with the hits embedded now as the index embedded them (title,
    /// heading, content; one batch). Fused search scores are rank-based, and Azure AI Search does not return a hybrid query's vector
    /// similarity, so the check embeds the few hits itself; the pipeline asks only when the lexical floor found nothing.
    /// Null when there is no query vector or embedding fails (the lexical verdict stands).</summary>
    public async Task<IReadOnlyList<double>?> SimilaritiesAsync(RetrievalResult result, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.QueryVector.IsEmpty || result.Hits.Count == 0)
        {
            return null;
        }

        try
        {
            var passages = await embedder.GenerateAsync(result.Hits.Select(h => Ingestion.Chunking.ChunkContext.Contextualise(h.Chunk)), cancellationToken: cancellationToken)
                .ConfigureAwait(false);
            return [.. passages.Select(p => System.Numerics.Tensors.TensorPrimitives.CosineSimilarity(result.QueryVector.Span, p.Vector.Span)).Select(c => (double)c)];
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Embedding the hits for the vector relevance check failed; the lexical check stands");
            return null;
        }
    }
}
