using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;
using RagFunctions.Api.Hosting;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Common;

namespace RagFunctions.App.Hosting;

/// <summary>
/// Turns an exception escaping an HTTP-triggered function into the same RFC 7807 problem the local host writes
/// (<see cref="ProblemResults.Respond"/>), instead of the Functions host's bare 500, and adds the shared <see cref="SecurityHeaders"/>.
/// </summary>
/// <remarks>API sources: <c>IFunctionsWorkerMiddleware</c>, <c>UseWhen</c> and <c>GetInvocationResult</c> —
/// learn.microsoft.com/azure/azure-functions/dotnet-isolated-process-guide#middleware; <c>GetHttpContext</c> —
/// Worker.Extensions.Http.AspNetCore <c>FunctionContextExtensions</c>. The ASP.NET Core integration executes an
/// <c>IActionResult</c> invocation result after the middleware chain returns (<c>FunctionsHttpProxyingMiddleware</c>).</remarks>
public sealed partial class HttpProblemMiddleware(ILogger<HttpProblemMiddleware> logger) : IFunctionsWorkerMiddleware
{
    /// <summary>The <c>UseWhen</c> predicate: only invocations whose trigger is <c>httpTrigger</c>.</summary>
    public static bool IsHttpTrigger(FunctionContext context) =>
        context.FunctionDefinition.InputBindings.Values.Any(b => string.Equals(b.Type, "httpTrigger", StringComparison.OrdinalIgnoreCase));

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        // The same security headers as the local host, on every HTTP function's response (success or problem).
        if (context.GetHttpContext() is { } httpContext)
        {
            SecurityHeaders.Register(httpContext);
        }

        try
        {
            await next(context);
        }
        catch (Exception ex) when (context.GetHttpContext() is { } http)
        {
            var error = Unwrap(ex);
            if (error is not (ProblemException or JsonException or BadHttpRequestException or OperationCanceledException))
            {
                LogUnhandled(error, context.FunctionDefinition.Name, http.Request.Method, http.Request.Path);
            }

            context.GetInvocationResult().Value = ProblemResults.Respond(error, http.Request.Path).AsActionResult();
        }
    }

    // The worker may wrap user-code exceptions (e.g. AggregateException from a faulted task); the problem belongs to the inner one.
    private static Exception Unwrap(Exception ex) =>
        ex is AggregateException { InnerExceptions.Count: 1 } aggregate ? Unwrap(aggregate.InnerExceptions[0]) : ex;

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {FunctionName} failed on {Method} {Path}")]
    private partial void LogUnhandled(Exception exception, string functionName, string method, string path);
}
