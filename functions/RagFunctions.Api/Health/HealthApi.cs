using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RagFunctions.Api.OpenApi;
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
        app.MapGet("/api/health", GetHealthAsync).WithName("GetHealth").WithTags("Health").Returns<HealthResponse>().Problems(503);
        return app;
    }

    public static async Task<IResult> GetHealthAsync([FromServices] ISearchIndex index, [FromServices] HostDescription host, CancellationToken cancellationToken)
    {
        try
        {
            var stats = await index.GetStatsAsync(cancellationToken);
            return TypedResults.Ok(new HealthResponse(
                "ready", host.Host, host.HistoryStore, host.DocumentCatalog,
                new IndexHealth(stats.Engine, stats.DocumentCount, stats.ChunkCount, stats.Dimensions)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException($"The search index is not ready: {ex.Message}", ex));
        }
    }
}

/// <summary><c>GET /api/health</c>.</summary>
public sealed record HealthResponse(string Status, string Host, string HistoryStore, string DocumentCatalog, IndexHealth Index);

/// <summary>What the search index holds.</summary>
public sealed record IndexHealth(string Engine, long Documents, long Chunks, int Dimensions);
