using Moq;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class CompositeNotificationSinkTests
{
    private static readonly ChatbotReadyNotification Notification =
        new("n-1", "alice", "conv-1", "asm-1", new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Every_sink_receives_the_notification_in_the_given_order()
    {
        var calls = new List<string>();
        var store = Sink("store", calls);
        var topic = Sink("topic", calls);

        await new CompositeNotificationSink([store.Object, topic.Object]).PublishAsync(Notification, CancellationToken.None);

        Assert.Equal(["store", "topic"], calls);
        store.Verify(s => s.PublishAsync(Notification, It.IsAny<CancellationToken>()), Times.Once);
        topic.Verify(s => s.PublishAsync(Notification, It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task A_failing_sink_stops_the_chain_and_the_failure_reaches_the_caller_for_a_retry()
    {
        var calls = new List<string>();
        var store = new Mock<INotificationSink>(MockBehavior.Strict);
        store.Setup(s => s.PublishAsync(It.IsAny<ChatbotReadyNotification>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new TimeoutException("store down"));
        var topic = Sink("topic", calls);

        var thrown = await Assert.ThrowsAsync<TimeoutException>(
            () => new CompositeNotificationSink([store.Object, topic.Object]).PublishAsync(Notification, CancellationToken.None));

        Assert.Equal("store down", thrown.Message);
        Assert.Empty(calls);
    }

    [Fact]
    public async Task A_cancelled_publish_calls_no_further_sink()
    {
        var calls = new List<string>();
        using var cancellation = new CancellationTokenSource();
        var first = new Mock<INotificationSink>();
        first.Setup(s => s.PublishAsync(It.IsAny<ChatbotReadyNotification>(), It.IsAny<CancellationToken>()))
            .Returns(() =>
            {
                cancellation.Cancel();
                return Task.CompletedTask;
            });
        var second = Sink("second", calls);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(
            () => new CompositeNotificationSink([first.Object, second.Object]).PublishAsync(Notification, cancellation.Token));

        Assert.Empty(calls);
    }

    [Fact]
    public void A_null_sink_is_rejected_at_construction()
    {
        Assert.Throws<ArgumentException>(() => new CompositeNotificationSink([Mock.Of<INotificationSink>(), null!]));
    }

    private static Mock<INotificationSink> Sink(string name, List<string> calls)
    {
        var sink = new Mock<INotificationSink>(MockBehavior.Strict);
        sink.Setup(s => s.PublishAsync(It.IsAny<ChatbotReadyNotification>(), It.IsAny<CancellationToken>()))
            .Callback(() => calls.Add(name))
            .Returns(Task.CompletedTask);
        return sink;
    }
}
