using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace RagFunctions.Api.Hosting;

/// <summary>Headers every response of both hosts carries. <c>X-Content-Type-Options: nosniff</c> everywhere (a browser must not guess
/// HTML or script out of an uploaded document, an export or an error). Responses that are not HTML — the whole API: JSON, problem+json,
/// SSE, NDJSON, Markdown exports — also get <c>Content-Security-Policy: default-src 'none'; frame-ancestors 'none'</c>: if one is ever
/// opened as a page it may load, run and be framed by nothing. HTML responses (the chat page, the API reference) set their own policy and
/// are left alone; a policy a handler already set is never replaced.</summary>
/// <remarks>Set in <see cref="HttpResponse.OnStarting(Func{Task})"/>, so errors written by any later component carry them too. The local host
/// runs <see cref="UseSecurityHeaders"/> as middleware; the Functions app calls <see cref="Register"/> from its worker middleware.</remarks>
public static class SecurityHeaders
{
    public const string NoSniff = "nosniff";
    public const string ApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";

    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            Register(context);
            return next(context);
        });

    /// <summary>Adds the headers when the response starts (whatever writes it).</summary>
    public static void Register(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var response = context.Response;
        response.OnStarting(() =>
        {
            Apply(response);
            return Task.CompletedTask;
        });
    }

    internal static void Apply(HttpResponse response)
    {
        response.Headers.XContentTypeOptions = NoSniff;
        if (!IsHtml(response.ContentType) && string.IsNullOrEmpty(response.Headers.ContentSecurityPolicy))
        {
            response.Headers.ContentSecurityPolicy = ApiContentSecurityPolicy;
        }
    }

    private static bool IsHtml(string? contentType) =>
        contentType is not null && contentType.StartsWith("text/html", StringComparison.OrdinalIgnoreCase);
}
