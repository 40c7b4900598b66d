using RagFunctions.Api.OpenApi;
using Scalar.AspNetCore;

namespace RagFunctions.Local.Hosting;

/// <summary>The OpenAPI document at <c>/openapi/v1.json</c> and a Scalar reference page at <c>/docs</c> (its script is served by the
/// package itself, no CDN).</summary>
public static class ApiReference
{
    public const string PagePath = "/docs";

    public static IEndpointRouteBuilder MapApiReference(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi(ApiOpenApi.DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal));
        app.MapScalarApiReference(PagePath, options => options
            .WithTitle("RagFunctions API")
            .WithOpenApiRoutePattern(ApiOpenApi.DocumentPath.Replace("v1", "{documentName}", StringComparison.Ordinal)));
        return app;
    }
}
