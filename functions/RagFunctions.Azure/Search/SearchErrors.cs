using Azure;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Core.Common;

namespace RagFunctions.Azure.Search;

/// <summary>Turns Azure AI Search failures that are worth retrying into Core problem types; everything else passes through.</summary>
internal static class SearchErrors
{
    public static async Task<T> Guard<T>(Func<Task<T>> call, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (RequestFailedException ex) when (ex.Status == 429)
        {
            throw new RateLimitedProblemException($"Azure AI Search throttled '{operation}'.", RetryAfter(ex), ex);
        }
        catch (RequestFailedException ex) when (ex.Status == 0 || ex.Status == 408 || ex.Status >= 500)
        {
            throw new UpstreamUnavailableProblemException($"Azure AI Search failed '{operation}' (HTTP {ex.Status}).", ex, RetryAfter(ex));
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            // The caller did not cancel, so the SDK's network timeout fired.
            throw new UpstreamUnavailableProblemException($"Azure AI Search timed out on '{operation}'.", ex);
        }
    }

    private static TimeSpan? RetryAfter(RequestFailedException ex)
    {
        var response = ex.GetRawResponse();
        return response is null
            ? null
            : RetryAfterHeaders.Parse(name => response.Headers.TryGetValue(name, out var value) ? value : null, DateTimeOffset.UtcNow);
    }
}
