using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
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

/// <summary>A host's view of its own storage: the cause of a recent storage fault (read-only database, full disk), or null.</summary>
public interface IStorageStatus
{
    string? RecentFault { get; }
}

/// <summary><c>GET /api/health</c>: 200 when the index answers, with what the host uses; 503 problem otherwise.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync).WithName("GetHealth");
        return app;
    }

    public static async Task<IResult> GetHealthAsync(
        ISearchIndex index, HostDescription host, CancellationToken cancellationToken, [FromServices] IStorageStatus? storage = null)
    {
        try
        {
            var stats = await index.GetStatsAsync(cancellationToken);
            var fault = storage?.RecentFault;
            return TypedResults.Ok(new
            {
                // Degraded: reads work, writes fail (e.g. an unwritable database); the reason says why.
                status = fault is null ? "ready" : "degraded",
                reason = fault,
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
