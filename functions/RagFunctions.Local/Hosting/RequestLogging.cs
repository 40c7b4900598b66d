using System.Diagnostics;
using System.Text.RegularExpressions;

namespace RagFunctions.Local.Hosting;

/// <summary>One Information line per request: method, path, status, milliseconds and the correlation id (the caller's
/// <c>X-Correlation-Id</c> when it is a plain token, otherwise the trace id), which is echoed in the response header.</summary>
public sealed partial class RequestLogging(RequestDelegate next, ILogger<RequestLogging> logger)
{
    public const string Header = "X-Correlation-Id";

    public async Task InvokeAsync(HttpContext context)
    {
        var incoming = context.Request.Headers[Header].ToString();
        var correlationId = CorrelationToken().IsMatch(incoming) ? incoming : Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
        context.Response.OnStarting(() =>
        {
            context.Response.Headers[Header] = correlationId;
            return Task.CompletedTask;
        });
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        finally
        {
            LogRequest(context.Request.Method, context.Request.Path.Value ?? "/", context.Response.StatusCode,
                Stopwatch.GetElapsedTime(start).TotalMilliseconds, correlationId);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Path} {StatusCode} {ElapsedMs:F0} ms [{CorrelationId}]")]
    private partial void LogRequest(string method, string path, int statusCode, double elapsedMs, string correlationId);

    [GeneratedRegex("^[A-Za-z0-9._:-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex CorrelationToken();
}
