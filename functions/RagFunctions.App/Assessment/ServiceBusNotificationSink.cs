using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Assessment;

namespace RagFunctions.App.Assessment;

/// <summary>
/// <see cref="INotificationSink"/> on Azure: publishes <c>chatbot_ready</c> to the Service Bus topic
/// <c>RagFunctions:Assessment:NotificationsTopic</c> (nothing when the setting is empty).
/// </summary>
/// <remarks>
/// A sink rather than an output binding on the queue trigger, so every path that completes an assessment conversation
/// (queue, <c>initialize</c>, <c>from-assessment</c>) notifies the same way. <c>MessageId</c> is the notification's
/// deterministic id, so a topic with duplicate detection drops redelivered events' second notification.
/// Azure.Messaging.ServiceBus comes with the Service Bus worker extension; the client uses the same identity-based
/// namespace setting as the trigger (<c>ServiceBusConnection__fullyQualifiedNamespace</c>).
/// </remarks>
public sealed class ServiceBusNotificationSink(ServiceBusClient client, IOptions<AssessmentOptions> options) : INotificationSink, IAsyncDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Lazy<ServiceBusSender?> _sender = new(() =>
        string.IsNullOrWhiteSpace(options.Value.NotificationsTopic) ? null : client.CreateSender(options.Value.NotificationsTopic));

    public async Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (_sender.Value is not { } sender)
        {
            return;
        }

        var message = new ServiceBusMessage(BinaryData.FromObjectAsJson(notification, Json))
        {
            MessageId = notification.Id,
            ContentType = "application/json",
            Subject = ChatbotReadyNotification.NotificationType,
        };
        await sender.SendMessageAsync(message, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (_sender.IsValueCreated && _sender.Value is { } sender)
        {
            await sender.DisposeAsync();
        }
    }
}
