using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RagFunctions.Api.Identity;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Ingestion.Access;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Api.Documents;

/// <summary><c>GET /api/search?q=&amp;top=5</c>: a debugging view of what the chat pipeline retrieves, with per-retriever ranks.</summary>
public static class SearchApi
{
    public const int MaxTop = 50;

    public static IEndpointRouteBuilder MapSearchApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/search", SearchAsync).WithName("Search").WithTags("Documents").Returns<SearchResponse>().Problems(400, 401);
        return app;
    }

    public static async Task<IResult> SearchAsync(HttpRequest request, [FromServices] HybridRetriever retriever, [FromServices] ICallerIdentityResolver identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(retriever);
        if (identity.Resolve(request) is not { } caller)
        {
            return DocumentsApi.Unauthenticated();
        }

        var q = request.Query["q"].ToString();
        if (string.IsNullOrWhiteSpace(q))
        {
            return ProblemResults.Validation("q", "The query text 'q' is required.");
        }

        var top = 5;
        if (request.Query.TryGetValue("top", out var topText) && (!int.TryParse(topText, out top) || top < 1 || top > MaxTop))
        {
            return ProblemResults.Validation("top", $"'top' must be a whole number from 1 to {MaxTop}.");
        }

        // Trimmed by the index (ids on the chunks), then by the document rule itself (see SourceRetriever), as chat is.
        var hits = (await retriever.RetrieveAsync(q, top, new SearchFilter(PrincipalIds: caller.PrincipalIds), cancellationToken))
            .Where(h => DocumentAccess.CanRead(caller, h.Chunk.SourcePath))
            .ToList();
        return TypedResults.Ok(new SearchResponse(q, [.. hits.Select(h => new SearchResultHit(
            h.Chunk.Id, h.Chunk.DocumentId, h.Chunk.Title, h.Chunk.SourcePath, h.Chunk.Page, h.Chunk.Heading, h.Chunk.Ordinal,
            h.Score, FoundByNames.Of(h.FoundBy), h.KeywordRank, h.VectorRank, h.Chunk.Content))]));
    }
}

/// <summary><c>GET /api/search</c>.</summary>
public sealed record SearchResponse(string Query, IReadOnlyList<SearchResultHit> Hits);

/// <summary>One retrieved chunk with its fused score and per-retriever ranks; <paramref name="FoundBy"/> lists the retrievers that found it.</summary>
public sealed record SearchResultHit(
    string Id, string DocumentId, string Title, string SourcePath, int? Page, string? Heading, int Ordinal,
    double Score, IReadOnlyList<string> FoundBy, int? KeywordRank, int? VectorRank, string Content);
