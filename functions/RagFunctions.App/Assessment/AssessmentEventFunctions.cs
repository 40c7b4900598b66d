using Azure.Messaging.ServiceBus;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using RagFunctions.Api.Assessment;
using RagFunctions.Api.Problems;
using RagFunctions.App.Hosting;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;

namespace RagFunctions.App.Assessment;

/// <summary>
/// The two ways an <c>analysis_complete</c> event reaches the app on Azure: the Service Bus queue (the publisher's normal path)
/// and the HTTP inbox for services that cannot publish to Service Bus, which relays onto the same queue.
/// </summary>
/// <remarks>
/// API sources: <c>ServiceBusTrigger</c> with <c>AutoCompleteMessages = false</c> and <c>ServiceBusMessageActions</c>
/// (<c>CompleteMessageAsync</c>, <c>DeadLetterMessageAsync(message, deadLetterReason:, deadLetterErrorDescription:)</c>,
/// <c>AbandonMessageAsync</c>) — learn.microsoft.com/azure/azure-functions/functions-bindings-service-bus-trigger
/// ("Message settlement", isolated worker) and Worker.Extensions.ServiceBus <c>ServiceBusMessageActions</c>. The queue name is
/// an app-setting binding expression: <c>%RagFunctions:Assessment:QueueName%</c> resolves the app setting
/// <c>RagFunctions__Assessment__QueueName</c> (app settings: "double-underscores are interpreted as hierarchical delimiters",
/// functions-app-settings; binding expressions: functions-bindings-expressions-patterns "App settings").
/// <c>ServiceBusConnection</c> is an identity-based connection (<c>ServiceBusConnection__fullyQualifiedNamespace</c>).
/// Multiple outputs with ASP.NET Core integration: <c>[HttpResult]</c> on the HTTP property — dotnet-isolated-process-guide
/// "Multiple output bindings".
/// </remarks>
public sealed class AssessmentEventFunctions(AssessmentMessageProcessor processor)
{
    private const string Queue = "%RagFunctions:Assessment:QueueName%";
    private const string Connection = "ServiceBusConnection";

    /// <summary>Complete when handled (or already handled), dead-letter with reason and description when the event can never
    /// succeed, abandon on a transient failure so Service Bus redelivers it (and dead-letters it itself after max delivery count).</summary>
    [Function("AssessmentEventsQueue")]
    public async Task Receive(
        [ServiceBusTrigger(Queue, Connection = Connection, AutoCompleteMessages = false)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken)
    {
        var decision = await processor.ProcessAsync(message.Body.ToMemory(), message.MessageId, cancellationToken);

        // Settle even when the invocation is being cancelled: an unsettled message only comes back after its lock expires.
        await (decision switch
        {
            ProcessingDecision.Complete => actions.CompleteMessageAsync(message, CancellationToken.None),
            ProcessingDecision.DeadLetter dead => actions.DeadLetterMessageAsync(
                message, deadLetterReason: dead.Reason, deadLetterErrorDescription: dead.Description, cancellationToken: CancellationToken.None),
            _ => actions.AbandonMessageAsync(message, cancellationToken: CancellationToken.None),
        });
    }

    /// <summary><c>POST /api/chat/assessments/events</c>, protected by a function key (this path is excluded from Easy Auth).
    /// A parseable event is put on the queue and answered 202; the queue trigger then handles it with the same settlement
    /// (retries, dead-letter) as a published event. A malformed event is refused with the validation problem at once.</summary>
    [Function("AssessmentEventsInbox")]
    public static async Task<AssessmentRelay> Relay(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "chat/assessments/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        byte[] body;
        try
        {
            body = await AssessmentRequestBody.ReadBytesAsync(request, cancellationToken);
            _ = AssessmentEventParser.Parse(body);
        }
        catch (ProblemException problem)
        {
            return new AssessmentRelay(ProblemResults.From(problem, request.Path).AsActionResult(), null);
        }
        catch (AssessmentEventInvalidException invalid)
        {
            return new AssessmentRelay(
                ProblemResults.From(new ValidationProblemException(invalid.Errors, invalid.Description), request.Path).AsActionResult(), null);
        }

        return new AssessmentRelay(new AcceptedResult(), body);
    }

    /// <summary>The inbox's two outputs: the HTTP answer and, for a valid event, the queue message.</summary>
    public sealed class AssessmentRelay(IActionResult response, byte[]? message)
    {
        [HttpResult]
        public IActionResult Response { get; } = response;

        [ServiceBusOutput(Queue, Connection = Connection)]
        public byte[]? Message { get; } = message;
    }
}
