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
        app.MapGet("/api/health", GetHealthAsync).WithName("GetHealth");
        return app;
    }

    public static async Task<IResult> GetHealthAsync(ISearchIndex index, HostDescription host, CancellationToken cancellationToken)
    {
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
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException($"The search index is not ready: {ex.Message}", ex));
        }
    }
}
