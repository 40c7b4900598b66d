using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace RagFunctions.App.Hosting;

/// <summary>
/// Lets HTTP functions return the shared handlers' <see cref="IResult"/>s. The Functions ASP.NET Core integration executes
/// <see cref="IActionResult"/> return values only (its proxying middleware checks <c>invocationResult.Value is IActionResult</c>;
/// azure-functions-dotnet-worker issue #2718 lists the supported result types), so each IResult is wrapped in an action
/// result that runs it against the same <see cref="HttpContext"/> — streaming results (SSE, NDJSON) included.
/// </summary>
public static class ResultActions
{
    public static IActionResult AsActionResult(this IResult result) => new HttpResultAction(result);

    public static async Task<IActionResult> AsActionResult<TResult>(this Task<TResult> result)
        where TResult : IResult =>
        new HttpResultAction(await result.ConfigureAwait(false));

    private sealed class HttpResultAction(IResult result) : IActionResult
    {
        public Task ExecuteResultAsync(ActionContext context) => result.ExecuteAsync(context.HttpContext);
    }
}
