using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Common;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Api.Health;

/// <summary>What a host runs on, reported by the health endpoint.</summary>
/// <param name="Host">e.g. <c>local</c> or <c>azure-functions</c>.</param>
/// <param name="HistoryStore">e.g. <c>sqlite:/path/ragfunctions.db</c> or <c>cosmos:ragfunctions/history</c>.</param>
/// <param name="DocumentCatalog">Where document records live.</param>
public sealed record HostDescription(string Host, string HistoryStore, string DocumentCatalog);

/// <summary><c>GET /api/health</c>: 200 when the index answers, with what the host uses; 503 problem otherwise.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", (ISearchIndex index, HostDescription host, HttpContext context, CancellationToken cancellationToken) =>
            GetHealthAsync(index, host, context.RequestServices.GetService(typeof(ReembeddingProgress)) as ReembeddingProgress, cancellationToken))
            .WithName("GetHealth");
        return app;
    }

    public static Task<IResult> GetHealthAsync(ISearchIndex index, HostDescription host, CancellationToken cancellationToken) =>
        GetHealthAsync(index, host, null, cancellationToken);

    /// <param name="progress">Local host only: re-embedding after an embedder change (keyword search serves the chunks it has not reached yet).</param>
    public static async Task<IResult> GetHealthAsync(ISearchIndex index, HostDescription host, ReembeddingProgress? progress, CancellationToken cancellationToken)
    {
        var reembedding = progress is { Model: not null } p
            ? new { model = p.Model, running = p.Running, done = p.Done, total = p.Total }
            : null;
        try
        {
            var stats = await index.GetStatsAsync(cancellationToken);
            return TypedResults.Ok(new
            {
                status = "ready",
                host = host.Host,
                historyStore = host.HistoryStore,
                documentCatalog = host.DocumentCatalog,
                index = new { engine = stats.Engine, documents = stats.DocumentCount, chunks = stats.ChunkCount, dimensions = stats.Dimensions },
                reembedding,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException($"The search index is not ready: {ex.Message}", ex));
        }
    }
}
