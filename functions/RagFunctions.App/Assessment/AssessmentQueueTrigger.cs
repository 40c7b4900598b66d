using Azure.Messaging.ServiceBus;
using Microsoft.Azure.Functions.Worker;
using RagFunctions.Core.Assessment;

namespace RagFunctions.App.Assessment;

/// <summary>
/// The Service Bus queue trigger for <c>analysis_complete</c> events (the publisher's normal path; the HTTP inbox relays onto
/// the same queue). Compiled only with <c>IncludeMessagingTriggers=true</c> (see RagFunctions.App.csproj): this file is all the
/// app needs from Worker.Extensions.ServiceBus; the decision is <see cref="AssessmentMessageProcessor"/>'s (Core, tested).
/// </summary>
/// <remarks>
/// Signatures checked against the public source of Azure/azure-functions-dotnet-worker:
/// extensions/Worker.Extensions.ServiceBus/src/ServiceBusTriggerAttribute.cs (ctor(queueName), <c>Connection</c>; the
/// stored copies predate <c>AutoCompleteMessages</c>, which MicrosoftDocs/azure-docs
/// includes/functions-bindings-service-bus-trigger-dotnet-isolated-types.md requires set to false with
/// <c>ServiceBusMessageActions</c>, extension 5.14.1 or later; 5.23.0 is pinned) and
/// extensions/Worker.Extensions.ServiceBus/src/ServiceBusMessageActions.cs (<c>CompleteMessageAsync(message, ct)</c>,
/// <c>DeadLetterMessageAsync(message, propertiesToModify, deadLetterReason, deadLetterErrorDescription, ct)</c>,
/// <c>AbandonMessageAsync(message, propertiesToModify, ct)</c>).
/// The queue name is an app-setting binding expression: <c>%RagFunctions:Assessment:QueueName%</c> resolves the app setting
/// <c>RagFunctions__Assessment__QueueName</c> (functions-bindings-expressions-patterns "App settings").
/// <c>ServiceBusConnection</c> is an identity-based connection (<c>ServiceBusConnection__fullyQualifiedNamespace</c>).
/// </remarks>
public sealed class AssessmentQueueTrigger(AssessmentMessageProcessor processor)
{
    /// <summary>Complete when handled (or already handled), dead-letter with reason and description when the event can never
    /// succeed, abandon on a transient failure so Service Bus redelivers it (and dead-letters it itself after max delivery count).</summary>
    [Function("AssessmentEventsQueue")]
    public async Task Receive(
        [ServiceBusTrigger(AssessmentQueue.NameExpression, Connection = AssessmentQueue.Connection, AutoCompleteMessages = false)] ServiceBusReceivedMessage message,
        ServiceBusMessageActions actions,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(actions);
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
}
