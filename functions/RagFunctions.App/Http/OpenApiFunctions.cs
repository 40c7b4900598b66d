using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RagFunctions.Api.OpenApi;

namespace RagFunctions.App.Http;

/// <summary>Renders the API's OpenAPI document once per process, from the same route definitions the local host maps
/// (<see cref="ApiDescriptionDocument"/>: an in-process, never-started ASP.NET Core app). The functions here call the same handlers
/// on the same routes, so the document describes them.</summary>
public sealed class OpenApiDocumentCache
{
    private readonly Lazy<Task<string>> _json = new(() => ApiDescriptionDocument.RenderJsonAsync(), LazyThreadSafetyMode.ExecutionAndPublication);

    public Task<string> GetJsonAsync() => _json.Value;
}

/// <summary><c>GET /api/openapi/v1.json</c> (the Functions route prefix is <c>api</c>; locally the document is at <c>/openapi/v1.json</c>).
/// Behind App Service Authentication like every other route: fetch it with the same bearer token.</summary>
public sealed class OpenApiFunctions(OpenApiDocumentCache cache)
{
    [Function("OpenApiDocument")]
    public async Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/v1.json")] HttpRequest request) =>
        new ContentResult { Content = await cache.GetJsonAsync().ConfigureAwait(false), ContentType = "application/json; charset=utf-8", StatusCode = StatusCodes.Status200OK };
}
