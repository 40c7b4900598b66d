namespace RagFunctions.Core.Common;

/// <summary>A failure a caller can cause or must be told about; the Api maps each to an RFC 7807 problem type.</summary>
public abstract class ProblemException(string detail, Exception? inner = null) : Exception(detail, inner)
{
    /// <summary>Short problem slug, e.g. <c>validation</c>; the Api renders it as <c>/problems/{slug}</c>.</summary>
    public abstract string ProblemSlug { get; }

    public abstract int StatusCode { get; }

    public abstract string Title { get; }
}

/// <summary>Input broke a rule; <see cref="Errors"/> names each field (camelCase) and what is wrong with it.</summary>
public sealed class ValidationProblemException(IReadOnlyDictionary<string, string[]> errors, string detail = "One or more fields are invalid.")
    : ProblemException(detail)
{
    public ValidationProblemException(string field, string error)
        : this(new Dictionary<string, string[]> { [field] = [error] }, error)
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
    public override string ProblemSlug => "validation";
    public override int StatusCode => 400;
    public override string Title => "The request is invalid.";
}

/// <summary>The resource does not exist for this caller (another user's resource is reported the same way).</summary>
public sealed class NotFoundProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "not-found";
    public override int StatusCode => 404;
    public override string Title => "Not found.";
}

/// <summary>The caller is known but lacks the right for this operation (e.g. the document writer role).</summary>
public sealed class ForbiddenProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "forbidden";
    public override int StatusCode => 403;
    public override string Title => "The operation is not allowed for this caller.";
}

/// <summary>The resource exists but is in a state that forbids the operation (e.g. an archived conversation).</summary>
public sealed class ConflictProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "conflict";
    public override int StatusCode => 409;
    public override string Title => "The resource is in a conflicting state.";
}

/// <summary>A concurrent writer changed the resource first (ETag mismatch).</summary>
public sealed class ConcurrencyProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "concurrency";
    public override int StatusCode => 412;
    public override string Title => "The resource was changed by someone else.";
}

/// <summary>Payload larger than the configured limit.</summary>
public sealed class PayloadTooLargeProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "payload-too-large";
    public override int StatusCode => 413;
    public override string Title => "The payload is too large.";
}

/// <summary>An upstream (model, embedder, store) throttled us; <see cref="RetryAfter"/> carries its hint.</summary>
public sealed class RateLimitedProblemException(string detail, TimeSpan? retryAfter = null, Exception? inner = null)
    : ProblemException(detail, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public override string ProblemSlug => "rate-limited";
    public override int StatusCode => 429;
    public override string Title => "Too many requests.";
}

/// <summary>An upstream dependency failed or timed out; the operation may succeed later.</summary>
public sealed class UpstreamUnavailableProblemException(string detail, Exception? inner = null, TimeSpan? retryAfter = null)
    : ProblemException(detail, inner)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
    public override string ProblemSlug => "upstream-unavailable";
    public override int StatusCode => 503;
    public override string Title => "A dependency is unavailable.";
}
