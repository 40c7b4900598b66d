using System.Text.Json;
using Azure.Messaging.ServiceBus;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Moq;
using RagFunctions.Azure.Assessment;
using RagFunctions.Azure.Tests.Http;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Azure.Tests.Assessment;

/// <summary><see cref="ServiceBusNotificationSink"/> with a fake <see cref="ServiceBusSender"/> (the SDK's mocking constructors):
/// what is sent, to which topic, and what happens when sending fails.</summary>
public sealed class ServiceBusNotificationSinkTests
{
    private static readonly ChatbotReadyNotification Notification = new(
        "notif-user-1-assess-9", "user-1", "conv-3", "assess-9", new DateTimeOffset(2026, 11, 29, 23, 0, 0, TimeSpan.Zero));

    private readonly Mock<ServiceBusClient> _client = new();
    private readonly Mock<ServiceBusSender> _sender = new();
    private readonly List<ServiceBusMessage> _sent = [];

    public ServiceBusNotificationSinkTests()
    {
        _client.Setup(c => c.CreateSender(It.IsAny<string>())).Returns(_sender.Object);
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .Callback<ServiceBusMessage, CancellationToken>((m, _) => _sent.Add(m))
            .Returns(Task.CompletedTask);
    }

    private ServiceBusNotificationSink Sink(string topic) =>
        new(_client.Object, Options.Create(new AssessmentOptions { NotificationsTopic = topic }));

    [Fact]
    public async Task A_notification_is_sent_to_the_configured_topic_with_its_id_as_message_id()
    {
        await using var sink = Sink("notifications");

        await sink.PublishAsync(Notification, CancellationToken.None);

        _client.Verify(c => c.CreateSender("notifications"), Times.Once);
        var message = Assert.Single(_sent);
        // The topic's duplicate detection keys on MessageId: a redelivered event must produce the same id.
        Assert.Equal(Notification.Id, message.MessageId);
        Assert.Equal("application/json", message.ContentType);
        Assert.Equal(ChatbotReadyNotification.NotificationType, message.Subject);
    }

    [Fact]
    public async Task The_body_is_the_notification_as_web_json()
    {
        await using var sink = Sink("notifications");

        await sink.PublishAsync(Notification, CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(_sent).Body.ToString());
        var root = body.RootElement;
        Assert.Equal("notif-user-1-assess-9", root.GetProperty("id").GetString());
        Assert.Equal("user-1", root.GetProperty("userId").GetString());
        Assert.Equal("conv-3", root.GetProperty("conversationId").GetString());
        Assert.Equal("assess-9", root.GetProperty("assessmentId").GetString());
        Assert.Equal("chatbot_ready", root.GetProperty("type").GetString());
        Assert.Equal(Notification.CreatedAt, root.GetProperty("createdAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task The_same_notification_twice_carries_the_same_message_id_and_body()
    {
        await using var sink = Sink("notifications");

        await sink.PublishAsync(Notification, CancellationToken.None);
        await sink.PublishAsync(Notification with { }, CancellationToken.None);

        Assert.Equal(2, _sent.Count);
        Assert.Equal(_sent[0].MessageId, _sent[1].MessageId);
        Assert.Equal(_sent[0].Body.ToString(), _sent[1].Body.ToString());
        _client.Verify(c => c.CreateSender(It.IsAny<string>()), Times.Once); // one sender (one AMQP link) per sink
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task An_empty_topic_sends_nothing_and_opens_no_sender(string topic)
    {
        await using var sink = Sink(topic);

        await sink.PublishAsync(Notification, CancellationToken.None);

        Assert.Empty(_sent);
        _client.Verify(c => c.CreateSender(It.IsAny<string>()), Times.Never);
    }

    [Fact]
    public async Task A_send_failure_propagates_so_the_event_is_retried()
    {
        _sender.Setup(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new ServiceBusException("namespace busy", ServiceBusFailureReason.ServiceBusy));
        await using var sink = Sink("notifications");

        var error = await Assert.ThrowsAsync<ServiceBusException>(() => sink.PublishAsync(Notification, CancellationToken.None));

        Assert.Equal(ServiceBusFailureReason.ServiceBusy, error.Reason);
    }

    [Fact]
    public async Task The_caller_cancellation_token_reaches_the_sender()
    {
        using var cts = new CancellationTokenSource();
        await using var sink = Sink("notifications");

        await sink.PublishAsync(Notification, cts.Token);

        _sender.Verify(s => s.SendMessageAsync(It.IsAny<ServiceBusMessage>(), cts.Token), Times.Once);
    }

    [Fact]
    public async Task Disposing_the_sink_closes_its_sender_and_only_if_one_was_opened()
    {
        await using (var unused = Sink("notifications"))
        {
        }

        _sender.Verify(s => s.DisposeAsync(), Times.Never);

        await using (var used = Sink("notifications"))
        {
            await used.PublishAsync(Notification, CancellationToken.None);
        }

        _sender.Verify(s => s.DisposeAsync(), Times.Once);
    }

    [Fact]
    public void The_sent_message_is_what_a_topic_subscriber_receives()
    {
        // Round trip through the SDK's model factory: what a subscription would hand to a consumer.
        var sent = ServiceBusNotificationSink.ToMessage(Notification);
        var received = ServiceBusModelFactory.ServiceBusReceivedMessage(
            body: sent.Body, messageId: sent.MessageId, contentType: sent.ContentType, subject: sent.Subject);

        var roundTripped = received.Body.ToObjectFromJson<ChatbotReadyNotification>(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        Assert.Equal(Notification, roundTripped);
        Assert.Equal(Notification.Id, received.MessageId);
    }

    [Fact]
    public async Task Registration_uses_the_trigger_namespace_setting_and_the_shared_credential()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ServiceBusConnection:fullyQualifiedNamespace"] = "rag-sb.servicebus.windows.net",
            ["RagFunctions:Assessment:NotificationsTopic"] = "chat-notifications",
        }).Build();
        // The client and the sink are IAsyncDisposable only: the provider must be disposed asynchronously.
        await using var provider = new ServiceCollection()
            .AddSingleton<global::Azure.Core.TokenCredential>(new FixedTokenCredential())
            .AddServiceBusNotifications(configuration)
            .BuildServiceProvider();

        var client = provider.GetRequiredService<ServiceBusClient>();

        Assert.Equal("rag-sb.servicebus.windows.net", client.FullyQualifiedNamespace);
        Assert.NotNull(provider.GetRequiredService<ServiceBusNotificationSink>());
        Assert.Equal("chat-notifications", provider.GetRequiredService<IOptions<AssessmentOptions>>().Value.NotificationsTopic);
        Assert.Null(provider.GetService<INotificationSink>()); // the host composes the sink
    }

    [Fact]
    public async Task Registration_without_a_namespace_fails_naming_the_setting()
    {
        await using var provider = new ServiceCollection()
            .AddServiceBusNotifications(new ConfigurationBuilder().Build())
            .BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<ServiceBusClient>());

        Assert.Contains("ServiceBusConnection__fullyQualifiedNamespace", error.Message, StringComparison.Ordinal);
    }
}
