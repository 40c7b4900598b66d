namespace RagFunctions.Core.Assessment;

/// <summary>The event can never be handled as sent (malformed JSON or a broken rule): hosts dead-letter it instead of retrying.</summary>
public sealed class AssessmentEventInvalidException(string reason, IReadOnlyDictionary<string, string[]> errors)
    : Exception(Describe(reason, errors))
{
    /// <summary>Reason for malformed JSON or a body that is not an object.</summary>
    public const string MalformedJson = "MalformedJson";

    /// <summary>Reason for a well-formed event that breaks a validation rule.</summary>
    public const string ValidationFailed = "ValidationFailed";

    /// <summary>Reason for a body above the size limit.</summary>
    public const string TooLarge = "TooLarge";

    /// <summary>Short machine-readable reason (Service Bus <c>DeadLetterReason</c>).</summary>
    public string Reason { get; } = reason;

    /// <summary>Field (camelCase path) → what is wrong with it.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>Human-readable description (Service Bus <c>DeadLetterErrorDescription</c>), one line per field.</summary>
    public string Description => Message;

    private static string Describe(string reason, IReadOnlyDictionary<string, string[]> errors) =>
        errors.Count == 0
            ? reason
            : string.Join("; ", errors.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}: {string.Join(" ", e.Value)}"));
}
