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
        app.MapGet("/api/health", (ISearchIndex index, HostDescription host, HttpContext context, CancellationToken cancellationToken) =>
            GetHealthAsync(
                index, host, context.RequestServices.GetService(typeof(ReembeddingProgress)) as ReembeddingProgress,
                context.RequestServices.GetService(typeof(IStorageStatus)) as IStorageStatus, cancellationToken))
            .WithName("GetHealth");
        return app;
    }

    public static Task<IResult> GetHealthAsync(ISearchIndex index, HostDescription host, CancellationToken cancellationToken) =>
        GetHealthAsync(index, host, null, cancellationToken);

    public static Task<IResult> GetHealthAsync(ISearchIndex index, HostDescription host, ReembeddingProgress? progress, CancellationToken cancellationToken) =>
        GetHealthAsync(index, host, progress, null, cancellationToken);

    /// <param name="progress">Local host only: re-embedding after an embedder change (keyword search serves the chunks it has not reached yet).</param>
    /// <param name="storage">The host's storage status, when it reports one (local host: a read-only database makes health degraded).</param>
    public static async Task<IResult> GetHealthAsync(
        ISearchIndex index, HostDescription host, ReembeddingProgress? progress, IStorageStatus? storage, CancellationToken cancellationToken)
    {
        var reembedding = progress is { Model: not null } p
            ? new { model = p.Model, running = p.Running, done = p.Done, total = p.Total }
            : null;
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
                reembedding,
            });
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException($"The search index is not ready: {ex.Message}", ex));
        }
    }
}
