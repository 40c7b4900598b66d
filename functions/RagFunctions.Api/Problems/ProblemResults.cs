using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using RagFunctions.Core.Common;

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

        return TypedResults.Problem(
            detail: problem.Message,
            instance: instance,
            statusCode: problem.StatusCode,
            title: problem.Title,
            type: TypeUri(problem.ProblemSlug),
            extensions: extensions);
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
