using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Assessment;
using RagFunctions.Api.Problems;
using RagFunctions.App.Hosting;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;

namespace RagFunctions.App.Assessment;

/// <summary>The assessment queue's name expression and connection, shared by the queue trigger and the inbox relay.</summary>
public static class AssessmentQueue
{
    public const string NameExpression = "%RagFunctions:Assessment:QueueName%";
    public const string Connection = "ServiceBusConnection";
}

/// <summary>
/// <c>POST /api/chat/assessments/events</c> for services that cannot publish to Service Bus: a parseable event is put on the
/// assessment queue and answered 202; the queue trigger then handles it with the same settlement (retries, dead-letter) as a
/// published event. A malformed event is refused with the validation problem at once.
/// </summary>
/// <remarks>Protected by a function key (the path is excluded from Easy Auth). The relay sends with Azure.Messaging.ServiceBus
/// (<see cref="ServiceBusSender"/> from the app's one <see cref="ServiceBusClient"/>) rather than a <c>[ServiceBusOutput]</c>
/// binding, so this HTTP function does not depend on Worker.Extensions.ServiceBus and exists in every build of the app
/// (the local host has the same route).</remarks>
public sealed class AssessmentEventsInbox(ServiceBusClient client, IOptions<AssessmentOptions> options)
{
    [Function("AssessmentEventsInbox")]
    public async Task<IActionResult> Relay(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chat/assessments/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        byte[] body;
        try
        {
            body = await AssessmentRequestBody.ReadBytesAsync(request, cancellationToken);
            _ = AssessmentEventParser.Parse(body);
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path).AsActionResult();
        }
        catch (AssessmentEventInvalidException invalid)
        {
            return ProblemResults.From(new ValidationProblemException(invalid.Errors, invalid.Description), request.Path).AsActionResult();
        }

        var queue = options.Value.QueueName;
        try
        {
            await using var sender = client.CreateSender(queue);
            await sender.SendMessageAsync(new ServiceBusMessage(body) { ContentType = "application/json" }, cancellationToken);
        }
        catch (ServiceBusException ex)
        {
            // The event was not accepted: the caller must retry, so it gets a 503 naming the queue and the settings behind it
            // rather than a bare 500. Transient failures (ServiceBusException.IsTransient) suggest a retry soon.
            var problem = new UpstreamUnavailableProblemException(
                $"The assessment queue '{queue}' did not accept the event ({ex.Reason}); it was not queued. " +
                $"Check {AssessmentOptions.Section}:QueueName and the {AssessmentQueue.Connection}__fullyQualifiedNamespace setting.",
                ex,
                ex.IsTransient ? TimeSpan.FromSeconds(5) : null);
            return ProblemResults.From(problem, request.Path).AsActionResult();
        }

        return new AcceptedResult();
    }
}
