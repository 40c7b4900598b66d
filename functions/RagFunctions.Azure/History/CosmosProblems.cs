using System.Net;
using Microsoft.Azure.Cosmos;
using RagFunctions.Core.Common;

namespace RagFunctions.Azure.History;

/// <summary>The Cosmos DB error mapping shared by the stores in the history container.</summary>
internal static class CosmosProblems
{
    /// <summary>Maps throttling and unavailability to the problem types callers (and the assessment trigger's retry decision)
    /// understand; other statuses stay CosmosExceptions for the caller's own filters.</summary>
    public static async Task<T> TranslateAsync<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.TooManyRequests)
        {
            throw new RateLimitedProblemException("Cosmos DB is throttling requests.", ex.RetryAfter, ex);
        }
        catch (CosmosException ex) when (ex.StatusCode is HttpStatusCode.ServiceUnavailable or HttpStatusCode.RequestTimeout or HttpStatusCode.InternalServerError)
        {
            throw new UpstreamUnavailableProblemException("Cosmos DB is unavailable.", ex, ex.RetryAfter);
        }
    }
}
