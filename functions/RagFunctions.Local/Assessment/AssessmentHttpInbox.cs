using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Assessment;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;

namespace RagFunctions.Local.Assessment;

/// <summary>202 body of the HTTP inbox.</summary>
public sealed record AssessmentEventAccepted(string Status, string ConversationId, bool Created);

/// <summary>Local stand-in for publishing to the Service Bus queue: <c>POST /api/chat/assessments/events</c>, for the assessment service,
/// protected by <c>X-Internal-Key</c>. Same decisions as the trigger: 202 processed, 400 invalid (body kept in <c>deadletter/</c>), 503 transient.</summary>
public static class AssessmentHttpInbox
{
    public const string KeyHeader = "X-Internal-Key";
    public const string Route = "/api/chat/assessments/events";

    public static async Task<Results<Accepted<AssessmentEventAccepted>, ProblemHttpResult>> ReceiveEvent(
        HttpRequest request,
        [FromServices] IOptions<AssessmentOptions> options,
        [FromServices] AssessmentMessageProcessor processor,
        [FromServices] AssessmentInboxFolders folders,
        [FromServices] TimeProvider clock,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(processor);
        ArgumentNullException.ThrowIfNull(folders);
        ArgumentNullException.ThrowIfNull(clock);
        var expected = options.Value.InternalKey;
        if (string.IsNullOrEmpty(expected))
        {
            return TypedResults.Problem(
                detail: "RagFunctions:Assessment:InternalKey is not set, so the event inbox is disabled.",
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Not configured.",
                type: ProblemResults.TypeUri("not-configured"));
        }

        if (!KeyMatches(request.Headers[KeyHeader].ToString(), expected))
        {
            return ProblemResults.Unauthorized($"A valid {KeyHeader} header is required.");
        }

        byte[] body;
        try
        {
            body = await AssessmentRequestBody.ReadBytesAsync(request, cancellationToken);
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }

        var decision = await processor.ProcessAsync(body, "http", cancellationToken);
        switch (decision)
        {
            case ProcessingDecision.Complete complete:
                return TypedResults.Accepted(
                    (string?)null,
                    new AssessmentEventAccepted("processed", complete.Outcome.Conversation.Id, complete.Outcome.Created));
            case ProcessingDecision.DeadLetter deadLetter:
                var name = string.Create(
                    CultureInfo.InvariantCulture, $"http-{clock.GetUtcNow():yyyyMMddHHmmssfff}-{StableIds.Sha256Hex(body)[..12]}.json");
                await folders.WriteDeadLetterAsync(name, body, deadLetter, cancellationToken);
                return ProblemResults.From(new ValidationProblemException(deadLetter.Errors, deadLetter.Description), request.Path);
            case ProcessingDecision.Retry retry:
                return ProblemResults.From(
                    new UpstreamUnavailableProblemException(
                        "The event could not be handled right now; send it again later.", retry.Exception, retry.RetryAfter ?? TimeSpan.FromSeconds(30)),
                    request.Path);
            default:
                throw new InvalidOperationException($"Unknown decision {decision.GetType().Name}.");
        }
    }

    private static bool KeyMatches(string presented, string expected) =>
        presented.Length > 0
        && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
