using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using RagFunctions.Api.Problems;

namespace RagFunctions.Api.Hosting;

/// <summary>Errors the server produces by itself — no route (404), a route without the method (405), and any other 4xx/5xx a component
/// set without writing a body — become problem+json with the house problem types, instead of an empty body.</summary>
/// <remarks>Uses ASP.NET Core's status code pages middleware (<c>UseStatusCodePages</c>: it writes only when the response has not started
/// and has no body or content type, so handlers' own problems and the HTML pages are untouched). What no middleware can reach: Kestrel
/// answers a request line that is too long (414), oversized headers (431) and malformed HTTP (400) while parsing, before the request enters
/// the pipeline, with an empty body and no extension point (Kestrel <c>HttpProtocol</c> writes the rejection itself). The Functions host's
/// own answers for unknown routes never reach the worker either; these stay as the platform sends them.</remarks>
public static class StatusCodeProblems
{
    public static IApplicationBuilder UseStatusCodeProblems(this IApplicationBuilder app) =>
        app.UseStatusCodePages(async context => await ProblemFor(context.HttpContext).ExecuteAsync(context.HttpContext).ConfigureAwait(false));

    /// <summary>The problem for a body-less error response of <paramref name="http"/>.</summary>
    public static IResult ProblemFor(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var status = http.Response.StatusCode;
        var method = http.Request.Method;
        var path = http.Request.Path.Value ?? "/";
        var (slug, title, detail) = status switch
        {
            StatusCodes.Status404NotFound => ("not-found", "Not found.", $"No route matches {path}. The API lives under /api (see the README's route tables)."),
            StatusCodes.Status405MethodNotAllowed => ("method-not-allowed", "Method not allowed.",
                $"{path} does not accept {method}." + (http.Response.Headers.Allow.Count > 0 ? $" Allowed: {http.Response.Headers.Allow}." : "")),
            StatusCodes.Status413PayloadTooLarge => ("payload-too-large", "The payload is too large.", "The request body is larger than this route accepts."),
            StatusCodes.Status414UriTooLong => ("uri-too-long", "The URI is too long.", "The request URI is longer than the server accepts."),
            StatusCodes.Status415UnsupportedMediaType => ("unsupported-media-type", "Unsupported media type.", "This route does not accept the request's Content-Type."),
            StatusCodes.Status431RequestHeaderFieldsTooLarge => ("headers-too-large", "Request headers are too large.", "The request headers are larger than the server accepts."),
            _ when status >= 500 => ("internal", "An unexpected error occurred.", $"The server answered {status}."),
            _ => ("http-" + status, "The request failed.", $"The server answered {status} to {method} {path}."),
        };
        return TypedResults.Problem(detail: detail, statusCode: status, title: title, type: ProblemResults.TypeUri(slug), instance: path);
    }
}
