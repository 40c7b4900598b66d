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

/// <summary>A host's view of its own storage: the cause of a recent storage fault (read-only database, full disk), or null.</summary>
public interface IStorageStatus
{
    string? RecentFault { get; }
}

/// <summary><c>GET /api/health</c>: 200 <c>ready</c> when everything answers, 200 <c>degraded</c> when a configured dependency is failing
/// (a chat model whose latest call failed, the conversation store), with what the host uses; 503 problem when the index does not answer.</summary>
public static class HealthApi
{
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/health", GetHealthAsync).WithName("GetHealth").WithTags("Health").Returns<HealthResponse>().Problems(503);
        return app;
    }

    public static async Task<IResult> GetHealthAsync(
        [FromServices] ISearchIndex index, [FromServices] HostDescription host, [FromServices] HealthProbe probe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(probe);
        IndexStats stats;
        try
        {
            stats = await index.GetStatsAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException($"The search index is not ready: {ex.Message}", ex));
        }

        var models = probe.Models();
        var store = await probe.StoreAsync(cancellationToken);
        var failing = models.Where(m => m.Failing).Select(m => $"model {m.Name}: {m.LastError}")
            .Concat(store.Status == "failing" ? [$"conversation store: {store.Error}"] : [])
            .Concat(probe.StorageFault() is { } fault ? [$"storage: {fault}"] : [])
            .ToList();
        return TypedResults.Ok(new HealthResponse(
            failing.Count == 0 ? "ready" : "degraded", host.Host, host.HistoryStore, host.DocumentCatalog,
            new IndexHealth(stats.Engine, stats.DocumentCount, stats.ChunkCount, stats.Dimensions),
            probe.Embedder(), models, store, failing, probe.Reembedding(), failing.Count == 0 ? null : string.Join("; ", failing)));
    }
}

/// <summary><c>GET /api/health</c>. <paramref name="Failing"/> names each failing dependency and its cause (empty when ready);
/// <paramref name="Reason"/> is the same as one sentence (null when ready).</summary>
public sealed record HealthResponse(
    string Status, string Host, string HistoryStore, string DocumentCatalog, IndexHealth Index,
    EmbedderHealth Embedder, IReadOnlyList<ModelStatus> Models, StoreHealth Store, IReadOnlyList<string> Failing,
    ReembeddingHealth? Reembedding = null, string? Reason = null);

/// <summary>What the search index holds.</summary>
public sealed record IndexHealth(string Engine, long Documents, long Chunks, int Dimensions);
