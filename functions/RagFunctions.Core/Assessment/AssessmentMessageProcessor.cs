using Microsoft.Extensions.Logging;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Assessment;

/// <summary>How a host settles one delivered event. Every host (Service Bus trigger, HTTP inbox, folder inbox) maps the same three cases.</summary>
public abstract record ProcessingDecision
{
    private ProcessingDecision()
    {
    }

    /// <summary>Handled (or already handled): settle/complete the message.</summary>
    public sealed record Complete(AssessmentOutcome Outcome) : ProcessingDecision;

    /// <summary>Can never succeed: dead-letter with <paramref name="Reason"/> (short code) and <paramref name="Description"/>; never retry.</summary>
    public sealed record DeadLetter(string Reason, string Description, IReadOnlyDictionary<string, string[]> Errors) : ProcessingDecision;

    /// <summary>Transient failure (store, sink or other dependency): abandon so the message is redelivered; nothing was lost.</summary>
    public sealed record Retry(Exception Exception) : ProcessingDecision
    {
        /// <summary>The dependency's own back-off hint, when it gave one.</summary>
        public TimeSpan? RetryAfter => Exception switch
        {
            RateLimitedProblemException r => r.RetryAfter,
            UpstreamUnavailableProblemException u => u.RetryAfter,
            _ => null,
        };
    }
}

/// <summary>Parses, validates and handles one raw event body and classifies the result. Never throws: a Service Bus trigger is
/// <c>switch (await ProcessAsync(message.Body)) { Complete → complete, DeadLetter d → dead-letter(d.Reason, d.Description), Retry → abandon }</c>.</summary>
public sealed class AssessmentMessageProcessor(AssessmentConversationService service, ILogger<AssessmentMessageProcessor> logger)
{
    /// <summary>Service Bus caps dead-letter properties; descriptions are cut to this length.</summary>
    public const int MaxDescriptionLength = 4096;

    /// <param name="body">The raw UTF-8 JSON (a Service Bus <c>BinaryData</c> body converts implicitly).</param>
    /// <param name="source">Message id or file name, for logs only.</param>
    public async Task<ProcessingDecision> ProcessAsync(ReadOnlyMemory<byte> body, string? source, CancellationToken cancellationToken)
    {
        using var scope = logger.BeginScope(new Dictionary<string, object> { ["EventSource"] = source ?? "unknown" });
        AssessmentEvent assessmentEvent;
        try
        {
            assessmentEvent = AssessmentEventParser.Parse(body);
        }
        catch (AssessmentEventInvalidException ex)
        {
            return DeadLetter(ex);
        }
        catch (Exception ex)
        {
            // Parsing is a pure function of the body: whatever else it throws, the same body fails the same way on every delivery.
            // Fatal, not transient — dead-letter now instead of retrying until the delivery count runs out.
            logger.LogWarning(ex, "Assessment event could not be parsed");
            return DeadLetter(new AssessmentEventInvalidException(
                AssessmentEventInvalidException.MalformedJson,
                new Dictionary<string, string[]> { ["body"] = [$"The event could not be read: {ex.Message}"] }));
        }

        try
        {
            var outcome = await service.HandleAsync(assessmentEvent, cancellationToken).ConfigureAwait(false);
            return new ProcessingDecision.Complete(outcome);
        }
        catch (AssessmentEventInvalidException ex)
        {
            return DeadLetter(ex);
        }
        catch (Exception ex)
        {
            // Includes cancellation (host shutting down): the message must come back, not be settled.
            logger.LogWarning(ex, "Assessment event {EventId} failed transiently; it will be retried", assessmentEvent.EventId);
            return new ProcessingDecision.Retry(ex);
        }
    }

    public Task<ProcessingDecision> ProcessAsync(ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        ProcessAsync(body, source: null, cancellationToken);

    private ProcessingDecision.DeadLetter DeadLetter(AssessmentEventInvalidException ex)
    {
        logger.LogWarning("Assessment event rejected ({Reason}): {Description}", ex.Reason, ex.Description);
        var description = ex.Description.Length > MaxDescriptionLength ? ex.Description[..MaxDescriptionLength] : ex.Description;
        return new ProcessingDecision.DeadLetter(ex.Reason, description, ex.Errors);
    }
}
