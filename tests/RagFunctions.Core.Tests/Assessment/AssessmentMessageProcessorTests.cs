using Moq;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.History;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentMessageProcessorTests
{
    [Fact]
    public async Task Valid_event_completes()
    {
        var store = new InMemoryConversationStore();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store));

        var decision = await processor.ProcessAsync(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()), CancellationToken.None);

        var complete = Assert.IsType<ProcessingDecision.Complete>(decision);
        Assert.True(complete.Outcome.Created);
        Assert.Single(store.AllConversations());
    }

    [Fact]
    public async Task Snake_case_event_completes()
    {
        var store = new InMemoryConversationStore();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store));

        var decision = await processor.ProcessAsync(AssessmentSamples.Bytes(AssessmentSamples.SnakeCase()), CancellationToken.None);

        Assert.IsType<ProcessingDecision.Complete>(decision);
        Assert.Equal("asm-1", Assert.Single(store.AllConversations()).AssessmentId);
    }

    [Theory]
    [InlineData("not json at all", AssessmentEventInvalidException.MalformedJson)]
    [InlineData("{\"eventType\":\"analysis_complete\",\"userId\":\"\"}", AssessmentEventInvalidException.ValidationFailed)]
    public async Task Malformed_or_invalid_event_is_dead_lettered_with_a_reason_and_nothing_is_created(string body, string reason)
    {
        var store = new Mock<IConversationStore>(MockBehavior.Strict);
        var sink = new Mock<INotificationSink>(MockBehavior.Strict);
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store.Object, sink.Object));

        var decision = await processor.ProcessAsync(AssessmentSamples.Bytes(body), CancellationToken.None);

        var deadLetter = Assert.IsType<ProcessingDecision.DeadLetter>(decision);
        Assert.Equal(reason, deadLetter.Reason);
        Assert.False(string.IsNullOrWhiteSpace(deadLetter.Description));
        Assert.NotEmpty(deadLetter.Errors);
        store.VerifyNoOtherCalls();
        sink.VerifyNoOtherCalls();
    }

    [Fact]
    public async Task Store_failure_is_retried_not_lost()
    {
        var store = new Mock<IConversationStore>();
        var failure = new TimeoutException("store unreachable");
        store.Setup(s => s.CreateIfNotExistsAsync(It.IsAny<Conversation>(), It.IsAny<CancellationToken>())).ThrowsAsync(failure);
        var sink = new RecordingNotificationSink();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store.Object, sink));

        var decision = await processor.ProcessAsync(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()), CancellationToken.None);

        var retry = Assert.IsType<ProcessingDecision.Retry>(decision);
        Assert.Same(failure, retry.Exception);
        Assert.Empty(sink.Records);
    }

    [Fact]
    public async Task Redelivery_after_a_failure_midway_finishes_the_job_without_duplicates()
    {
        var store = new InMemoryConversationStore();
        var sink = new RecordingNotificationSink();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store, sink));
        var body = AssessmentSamples.Bytes(AssessmentSamples.CamelCase());

        // First delivery: the conversation is created but the welcome append fails.
        store.Fault = method => method == nameof(IConversationStore.AppendMessagesAsync) ? new IOException("disk full") : null;
        Assert.IsType<ProcessingDecision.Retry>(await processor.ProcessAsync(body, CancellationToken.None));
        var created = Assert.Single(store.AllConversations());
        Assert.Empty(store.MessagesOf("user-1", created.Id));

        // Second delivery: the notification sink fails after the welcome is stored.
        store.Fault = null;
        sink.Fault = () => new HttpRequestException("sink down");
        Assert.IsType<ProcessingDecision.Retry>(await processor.ProcessAsync(body, CancellationToken.None));

        // Third delivery: everything works.
        sink.Fault = null;
        var complete = Assert.IsType<ProcessingDecision.Complete>(await processor.ProcessAsync(body, CancellationToken.None));

        Assert.False(complete.Outcome.Created);
        Assert.Single(store.AllConversations());
        Assert.Single(store.MessagesOf("user-1", created.Id));
        Assert.Single(sink.Records);
    }

    [Fact]
    public async Task Retry_carries_the_dependency_back_off_hint()
    {
        var store = new Mock<IConversationStore>();
        store.Setup(s => s.CreateIfNotExistsAsync(It.IsAny<Conversation>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new Common.RateLimitedProblemException("throttled", TimeSpan.FromSeconds(7)));
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store.Object));

        var retry = Assert.IsType<ProcessingDecision.Retry>(await processor.ProcessAsync(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()), CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(7), retry.RetryAfter);
    }

    [Fact]
    public async Task Cancellation_means_retry_so_the_message_comes_back()
    {
        var store = new InMemoryConversationStore();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store));
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        var decision = await processor.ProcessAsync(AssessmentSamples.Bytes(AssessmentSamples.CamelCase()), cancelled.Token);

        Assert.IsType<ProcessingDecision.Retry>(decision);
    }

    [Fact]
    public async Task Five_concurrent_deliveries_through_the_processor_all_complete_with_one_conversation()
    {
        var store = new InMemoryConversationStore();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store));
        var body = AssessmentSamples.Bytes(AssessmentSamples.CamelCase());

        var decisions = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => processor.ProcessAsync(body, CancellationToken.None))));

        Assert.All(decisions, d => Assert.IsType<ProcessingDecision.Complete>(d));
        Assert.Single(store.AllConversations());
    }
}
