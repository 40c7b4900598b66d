using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using RagFunctions.Api.Identity;
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
        app.MapGet("/api/search", SearchAsync).WithName("Search");
        return app;
    }

    public static async Task<IResult> SearchAsync(HttpRequest request, HybridRetriever retriever, ICallerIdentityResolver identity, CancellationToken cancellationToken)
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
        return TypedResults.Ok(new
        {
            query = q,
            hits = hits.Select(h => new
            {
                id = h.Chunk.Id,
                documentId = h.Chunk.DocumentId,
                title = h.Chunk.Title,
                sourcePath = h.Chunk.SourcePath,
                page = h.Chunk.Page,
                heading = h.Chunk.Heading,
                ordinal = h.Chunk.Ordinal,
                score = h.Score,
                foundBy = FoundBy(h.FoundBy),
                keywordRank = h.KeywordRank,
                vectorRank = h.VectorRank,
                content = h.Chunk.Content,
            }),
        });
    }

    private static string[] FoundBy(Retrievers retrievers) =>
        [.. new[] { (Retrievers.Keyword, "keyword"), (Retrievers.Vector, "vector") }.Where(p => retrievers.HasFlag(p.Item1)).Select(p => p.Item2)];
}
