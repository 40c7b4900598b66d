using Microsoft.Extensions.FileProviders;

namespace RagFunctions.Local.Hosting;

/// <summary>The chat page at <c>/</c>: static files from wwwroot, embedded in the assembly so they are found whatever the working
/// directory (<c>dotnet run</c> runs from the repository root, the published dll from anywhere). Served with their own
/// Content-Security-Policy: scripts, styles and API calls from this origin only, no inline code, no framing.</summary>
public static class ChatPage
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public static WebApplication UseChatPage(this WebApplication app)
    {
        var files = new EmbeddedFileProvider(typeof(ChatPage).Assembly, "RagFunctions.Local.wwwroot");
        app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = files,
            OnPrepareResponse = context =>
            {
                var headers = context.Context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.CacheControl = "no-cache";
            },
        });
        return app;
    }
}
