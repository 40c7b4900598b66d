using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Azure.Assessment;

/// <summary>
/// <see cref="INotificationSink"/> on Azure: publishes <c>chatbot_ready</c> to the Service Bus topic
/// <c>RagFunctions:Assessment:NotificationsTopic</c> (nothing when the setting is empty).
/// </summary>
/// <remarks>
/// A sink rather than an output binding on the queue trigger, so every path that completes an assessment conversation
/// (queue, <c>initialize</c>, <c>from-assessment</c>) notifies the same way. <c>MessageId</c> is the notification's
/// deterministic id, so a topic with duplicate detection (infra/modules/servicebus.bicep) drops a redelivered event's
/// second notification. A send failure propagates: the caller abandons the event and the retry publishes again.
/// </remarks>
public sealed class ServiceBusNotificationSink(ServiceBusClient client, IOptions<AssessmentOptions> options) : INotificationSink, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lazy<ServiceBusSender?> _sender = new(() =>
        string.IsNullOrWhiteSpace(options.Value.NotificationsTopic) ? null : client.CreateSender(options.Value.NotificationsTopic.Trim()));

    public async Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (_sender.Value is not { } sender)
        {
            return;
        }

        await sender.SendMessageAsync(ToMessage(notification), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The message for one notification: JSON body (web casing, as the HTTP API returns it), the notification id as
    /// <c>MessageId</c> (the duplicate-detection key), the type as <c>Subject</c> so subscriptions can filter on it.</summary>
    public static ServiceBusMessage ToMessage(ChatbotReadyNotification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return new ServiceBusMessage(BinaryData.FromObjectAsJson(notification, Json))
        {
            MessageId = notification.Id,
            ContentType = "application/json",
            Subject = ChatbotReadyNotification.NotificationType,
        };
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender.IsValueCreated && _sender.Value is { } sender)
        {
            await sender.DisposeAsync().ConfigureAwait(false);
        }
    }
}
