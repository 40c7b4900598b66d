using System.ClientModel;
using RagFunctions.Core.Common;

namespace RagFunctions.Azure.OpenAI;

/// <summary>
/// Maps OpenAI SDK failures onto Core's retryable problem types: 429 → <see cref="RateLimitedProblemException"/> (with the
/// server's Retry-After), 408/5xx/transport failures/timeouts → <see cref="UpstreamUnavailableProblemException"/>.
/// Other 4xx (bad request, auth, unknown deployment) stay <see cref="ClientResultException"/>: retrying them cannot help.
/// </summary>
internal static class OpenAIErrors
{
    public static Exception? Map(Exception exception, string operation, CancellationToken cancellationToken) => exception switch
    {
        ClientResultException { Status: 429 } ex =>
            new RateLimitedProblemException($"The model endpoint throttled {operation}.", RetryAfter(ex), ex),
        ClientResultException { Status: 0 or 408 or >= 500 } ex =>
            new UpstreamUnavailableProblemException($"The model endpoint failed {operation} (HTTP {ex.Status}).", ex, RetryAfter(ex)),
        OperationCanceledException ex when !cancellationToken.IsCancellationRequested =>
            new UpstreamUnavailableProblemException($"The model endpoint timed out on {operation}.", ex),
        HttpRequestException ex => new UpstreamUnavailableProblemException($"The model endpoint could not be reached for {operation}.", ex),
        _ => null,
    };

    public static async Task<T> Guard<T>(Func<Task<T>> call, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception ex) when (Map(ex, operation, cancellationToken) is { } mapped)
        {
            throw mapped;
        }
    }

    private static TimeSpan? RetryAfter(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        return response is null
            ? null
            : RetryAfterHeaders.Parse(name => response.Headers.TryGetValue(name, out var value) ? value : null, DateTimeOffset.UtcNow);
    }
}
