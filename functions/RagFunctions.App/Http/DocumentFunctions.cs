using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Documents;
using RagFunctions.Api.Health;
using RagFunctions.Api.Identity;
using RagFunctions.App.Hosting;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.App.Http;

/// <summary>
/// Documents, search and health routes: one HTTP function per route and method, each calling the shared
/// <see cref="DocumentsApi"/>/<see cref="SearchApi"/>/<see cref="HealthApi"/> handler, so both hosts answer identically.
/// </summary>
/// <remarks>
/// Routes are relative to the host's <c>api</c> prefix. <see cref="AuthorizationLevel.Anonymous"/>: App Service
/// Authentication (Easy Auth, infra/modules/auth.bicep) rejects unauthenticated callers at the platform edge; the shared
/// handlers then apply the document rule (readers, and the <c>documents.write</c> app role from the principal's <c>roles</c>).
/// API source: learn.microsoft.com/azure/azure-functions/dotnet-isolated-process-guide#aspnet-core-integration
/// (<c>HttpRequest</c> in, <c>IActionResult</c> out; route parameters bind by name).
/// </remarks>
public sealed class DocumentFunctions(
    IDocumentCatalog catalog,
    IDocumentDropBox dropBox,
    IngestionIntake intake,
    IOptions<IngestionOptions> ingestionOptions,
    HybridRetriever retriever,
    ISearchIndex index,
    HostDescription host,
    ICallerIdentityResolver identity,
    IOptions<AuthOptions> auth,
    HealthProbe healthProbe)
{
    [Function("UploadDocument")]
    public Task<IActionResult> Upload([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "documents")] HttpRequest request, CancellationToken cancellationToken) =>
        DocumentsApi.UploadAsync(request, dropBox, ingestionOptions, identity, auth, cancellationToken).AsActionResult();

    [Function("ListDocuments")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "documents")] HttpRequest request, CancellationToken cancellationToken) =>
        DocumentsApi.ListAsync(request, catalog, identity, cancellationToken).AsActionResult();

    [Function("GetDocument")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "documents/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        DocumentsApi.GetAsync(id, request, catalog, identity, cancellationToken).AsActionResult();

    [Function("DeleteDocument")]
    public Task<IActionResult> Delete([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "documents/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        DocumentsApi.DeleteAsync(id, request, catalog, dropBox, intake, identity, auth, cancellationToken).AsActionResult();

    [Function("Search")]
    public Task<IActionResult> Search([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "search")] HttpRequest request, CancellationToken cancellationToken) =>
        SearchApi.SearchAsync(request, retriever, identity, cancellationToken).AsActionResult();

    [Function("GetHealth")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request, CancellationToken cancellationToken) =>
        HealthApi.GetHealthAsync(index, host, healthProbe, cancellationToken).AsActionResult();
}
