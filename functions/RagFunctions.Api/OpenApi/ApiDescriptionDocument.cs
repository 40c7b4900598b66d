using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;

namespace RagFunctions.Api.OpenApi;

/// <summary>Renders the OpenAPI document of the shared routes without a running server, for hosts that cannot run the ASP.NET Core
/// endpoint pipeline (the Functions app: its HTTP functions call the same handlers, so their routes are the same). A small in-process
/// <see cref="WebApplication"/> maps <see cref="ApiOpenApi.MapSharedApi"/> and asks the document provider for the document; it is
/// never started. Handlers take their services with <c>[FromServices]</c>, so no service needs to exist here.</summary>
public static class ApiDescriptionDocument
{
    public static async Task<string> RenderJsonAsync(CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ApiDescriptionDocument).Assembly.GetName().Name,
            EnvironmentName = Environments.Production,
        });
        builder.Services.AddApiOpenApi();
        await using var app = builder.Build();
        // Routes reach the document generator through the routing options' data sources, which UseEndpoints fills
        // (a started host does this when it builds its pipeline; this one never starts).
        // (ASP0014 prefers top-level registrations, which only take effect when the pipeline is built at start.)
        app.UseRouting();
#pragma warning disable ASP0014
        app.UseEndpoints(endpoints => endpoints.MapSharedApi());
#pragma warning restore ASP0014
        var provider = app.Services.GetRequiredKeyedService<IOpenApiDocumentProvider>(ApiOpenApi.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken).ConfigureAwait(false);
        return await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, cancellationToken).ConfigureAwait(false);
    }
}
