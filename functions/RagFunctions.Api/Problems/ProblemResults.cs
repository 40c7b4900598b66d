using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using RagFunctions.Core.Common;
using RagFunctions.Core.Limits;

namespace RagFunctions.Api.Problems;

/// <summary>Builds RFC 7807 problem+json results with the house problem types (<c>/problems/{slug}</c>), identical on both hosts.</summary>
public static class ProblemResults
{
    public const string ContentType = "application/problem+json";

    public static string TypeUri(string slug) => $"/problems/{slug}";

    /// <summary>The problem for a <see cref="ProblemException"/>; Retry-After is carried as an extension member.</summary>
    public static ProblemHttpResult From(ProblemException problem, string? instance = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (problem is ValidationProblemException v)
        {
            extensions["errors"] = v.Errors;
        }

        var retryAfter = problem switch
        {
            RateLimitedProblemException r => r.RetryAfter,
            UpstreamUnavailableProblemException u => u.RetryAfter,
            _ => null,
        };
        if (retryAfter is { } ra)
        {
            extensions["retryAfterSeconds"] = (int)Math.Ceiling(ra.TotalSeconds);
        }

        if (problem is UsageLimitExceededProblemException limit)
        {
            extensions["retryAfterSeconds"] = limit.RetryAfterSeconds;
            extensions["limit"] = new Dictionary<string, object>
            {
                ["name"] = limit.Exceeded.Policy.Name,
                ["quota"] = limit.Exceeded.Policy.Quota,
                ["used"] = limit.Exceeded.Used,
                ["windowSeconds"] = (int)limit.Exceeded.Policy.Window.TotalSeconds,
                ["setting"] = limit.Exceeded.Policy.Setting,
            };
        }

        return TypedResults.Problem(
            detail: problem.Message,
            instance: instance,
            statusCode: problem.StatusCode,
            title: problem.Title,
            type: TypeUri(problem.ProblemSlug),
            extensions: extensions);
    }

    /// <summary>The problem for any exception (<see cref="FromException"/>) with the response headers that belong to it:
    /// <c>Retry-After</c> (RFC 9110 §10.2.3) when a retry can be timed, and for a usage limit <c>RateLimit-Policy</c> and <c>RateLimit</c>
    /// (see <see cref="RateLimitHeaders"/>).</summary>
    public static IResult Respond(Exception exception, string? instance = null)
    {
        var problem = FromException(exception, instance);
        var headers = RateLimitHeaders.For(exception);
        return headers.Count == 0 ? problem : new WithHeaders(problem, headers);
    }

    public static ProblemHttpResult Validation(string field, string error) => From(new ValidationProblemException(field, error));

    public static ProblemHttpResult NotFound(string detail) => From(new NotFoundProblemException(detail));

    /// <summary>401 problem+json; <see cref="Identity.UnauthorizedChallenge"/> adds <c>WWW-Authenticate</c> saying why.</summary>
    public static ProblemHttpResult Unauthorized(string detail) => TypedResults.Problem(
        detail: detail, statusCode: StatusCodes.Status401Unauthorized, title: "Authentication is required.", type: TypeUri("unauthorized"));

    public static ProblemHttpResult UnsupportedMediaType(string detail) => TypedResults.Problem(
        detail: detail, statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported media type.", type: TypeUri("unsupported-media-type"));

    /// <summary>Maps any exception: known problems keep their type; malformed JSON is a validation problem; anything else is a 500 without internals.</summary>
    public static ProblemHttpResult FromException(Exception exception, string? instance = null) => exception switch
    {
        ProblemException p => From(p, instance),
        JsonException j => From(new ValidationProblemException("body", $"Malformed JSON: {j.Message}"), instance),
        BadHttpRequestException b when b.StatusCode == StatusCodes.Status413PayloadTooLarge =>
            From(new PayloadTooLargeProblemException(b.Message), instance),
        BadHttpRequestException b => From(new ValidationProblemException("body", b.Message), instance),
        OperationCanceledException => TypedResults.Problem(
            statusCode: 499, title: "The request was cancelled.", type: TypeUri("cancelled"), instance: instance),
        _ => TypedResults.Problem(
            statusCode: StatusCodes.Status500InternalServerError,
            title: "An unexpected error occurred.",
            type: TypeUri("internal"),
            instance: instance),
    };
}

/// <summary>Sets response headers, then runs the inner result.</summary>
internal sealed class WithHeaders(IResult inner, IReadOnlyDictionary<string, string> headers) : IResult
{
    public Task ExecuteAsync(HttpContext httpContext)
    {
        foreach (var (name, value) in headers)
        {
            httpContext.Response.Headers[name] = value;
        }

        return inner.ExecuteAsync(httpContext);
    }
}
