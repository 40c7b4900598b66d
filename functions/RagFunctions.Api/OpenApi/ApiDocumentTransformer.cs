using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace RagFunctions.Api.OpenApi;

/// <summary>Document-wide parts: title, the bearer scheme and the problem types every error answer uses.</summary>
internal sealed class ApiDocumentTransformer : IOpenApiDocumentTransformer
{
    /// <summary>The house problem types (<c>type</c> member of every problem+json body), with their status.</summary>
    public static readonly IReadOnlyList<(string Slug, int Status, string Meaning)> ProblemTypes =
    [
        ("validation", 400, "A field of the request is missing or wrong; `errors` names each field."),
        ("unauthorized", 401, "No identity, or the bearer token is invalid or expired (see `WWW-Authenticate`)."),
        ("not-found", 404, "The resource does not exist for this caller."),
        ("conflict", 409, "The request conflicts with the current state."),
        ("concurrency", 412, "Another writer changed the resource first; retry."),
        ("payload-too-large", 413, "The body is larger than the configured limit."),
        ("unsupported-media-type", 415, "The body has the wrong Content-Type."),
        ("rate-limited", 429, "Too many requests; `retryAfterSeconds` says when to retry."),
        ("internal", 500, "An unexpected error; details are in the server log, never in the answer."),
        ("upstream-unavailable", 503, "A dependency (model, index, store) failed; the detail names each cause; `retryAfterSeconds` when known."),
    ];

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "RagFunctions API",
            Version = "v1",
            Description =
                "Retrieval-augmented chat with grounded, cited, streamed answers; documents and search; assessment conversations. " +
                "The same routes and problem+json errors on the local host and the Azure Functions app.\n\n" +
                "Errors are RFC 7807 `application/problem+json` with `type` `/problems/{slug}`:\n\n" +
                string.Join("\n", ProblemTypes.Select(p => $"- `/problems/{p.Slug}` ({p.Status}): {p.Meaning}")),
        };
        // The generator derives servers from the request; a trailing slash would double the first '/' of every path.
        foreach (var server in document.Servers ?? [])
        {
            server.Url = server.Url?.TrimEnd('/');
        }

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "Locally an HS256 development token (`token <user>` or the page's user picker); on Azure an Entra ID token validated by App Service Authentication.",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", document)] = [] });
        return Task.CompletedTask;
    }
}
