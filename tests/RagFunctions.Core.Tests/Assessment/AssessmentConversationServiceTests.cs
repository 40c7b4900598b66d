using Microsoft.Extensions.AI;
using Moq;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.History;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

public sealed class AssessmentConversationServiceTests
{
    [Fact]
    public async Task Five_deliveries_of_the_same_event_create_one_conversation_with_one_welcome()
    {
        var store = new InMemoryConversationStore();
        var sink = new RecordingNotificationSink();
        var service = AssessmentSamples.Service(store, sink);

        var outcomes = new List<AssessmentOutcome>();
        for (var i = 0; i < 5; i++)
        {
            outcomes.Add(await service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None));
        }

        var conversation = Assert.Single(store.AllConversations());
        Assert.Single(store.MessagesOf("user-1", conversation.Id));
        Assert.Equal(1, outcomes.Count(o => o.Created));
        Assert.Equal(4, outcomes.Count(o => o.Kind == AssessmentOutcomeKind.AlreadyExisted));
        Assert.All(outcomes, o => Assert.Equal(conversation.Id, o.Conversation.Id));
        Assert.All(outcomes, o => Assert.NotNull(o.Welcome));
        Assert.Single(sink.Records);
        Assert.Equal(1, conversation.MessageCount);
    }

    [Fact]
    public async Task Five_concurrent_deliveries_create_one_conversation()
    {
        var store = new InMemoryConversationStore();
        var sink = new RecordingNotificationSink();
        var service = AssessmentSamples.Service(store, sink);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None))));

        var conversation = Assert.Single(store.AllConversations());
        Assert.Single(store.MessagesOf("user-1", conversation.Id));
        Assert.Equal(1, outcomes.Count(o => o.Created));
        Assert.Single(sink.Records);
    }

    [Fact]
    public async Task Five_concurrent_deliveries_on_separate_instances_create_one_conversation_and_one_welcome()
    {
        // Separate service instances share nothing in memory, like Functions instances: only the store's guarantees remain.
        var store = new InMemoryConversationStore();
        var sink = new RecordingNotificationSink();
        var services = Enumerable.Range(0, 5).Select(_ => AssessmentSamples.Service(store, sink)).ToList();
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var running = services.Select(s => Task.Run(async () =>
        {
            await start.Task;
            return await s.HandleAsync(AssessmentSamples.Event(), CancellationToken.None);
        })).ToList();
        start.SetResult();
        var outcomes = await Task.WhenAll(running);

        var conversation = Assert.Single(store.AllConversations());
        var message = Assert.Single(store.MessagesOf("user-1", conversation.Id));
        Assert.Equal(1, outcomes.Count(o => o.Created));
        Assert.Equal(5, store.CreateCalls);
        Assert.All(outcomes, o => Assert.Equal(message.Id, o.Welcome!.Id));
        Assert.Single(sink.Records);
    }

    [Fact]
    public async Task Conversation_carries_context_type_summary_results_and_title()
    {
        var store = new InMemoryConversationStore();
        var assessmentEvent = AssessmentSamples.Event();

        var outcome = await AssessmentSamples.Service(store).HandleAsync(assessmentEvent, CancellationToken.None);

        var conversation = outcome.Conversation;
        var profile = AssessmentProfile.From(assessmentEvent.Results);
        Assert.Equal(ContextTypes.Assessment, conversation.ContextType);
        Assert.Equal(profile.Summary, conversation.ContextSummary);
        Assert.Equal("asm-1", conversation.AssessmentId);
        Assert.Equal(profile.Title, conversation.Title);
        Assert.Equal(AssessmentIds.ConversationId("user-1", "asm-1"), conversation.Id);
        var data = conversation.ContextData!.Value;
        Assert.Equal(profile.Summary, data.GetProperty("profileSummary").GetString());
        Assert.Equal(92, data.GetProperty("results").GetProperty("riasec").GetProperty("I").GetDouble());
        Assert.Equal(assessmentEvent.Results.Riasec, AssessmentConversationService.ResultsOf(conversation)!.Riasec);
        Assert.Equal(assessmentEvent.CompletedAt, AssessmentConversationService.CompletedAt(conversation));
    }

    [Fact]
    public async Task Welcome_is_an_assistant_message_typed_assessment_welcome()
    {
        var store = new InMemoryConversationStore();

        var outcome = await AssessmentSamples.Service(store).HandleAsync(AssessmentSamples.Event(), CancellationToken.None);

        var welcome = Assert.Single(store.MessagesOf("user-1", outcome.Conversation.Id));
        Assert.Equal(MessageRole.Assistant, welcome.Role);
        Assert.Equal(AssessmentConversationService.WelcomeMessageType, welcome.Metadata!.Type);
        Assert.Equal(AssessmentWelcomeWriter.TemplateModel, welcome.Metadata.Model);
        Assert.Equal(3, welcome.FollowupQuestions!.Count);
        Assert.True(outcome.WelcomeAdded);
    }

    [Fact]
    public async Task Welcome_falls_back_to_the_template_when_the_model_throws()
    {
        var store = new InMemoryConversationStore();
        var model = new Mock<IChatClient>();
        model.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new HttpRequestException("503 from the model"));
        var service = AssessmentSamples.Service(store, models: AssessmentSamples.Model("gpt-main", model.Object));

        var outcome = await service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None);

        var welcome = Assert.Single(store.MessagesOf("user-1", outcome.Conversation.Id));
        Assert.Equal("template", welcome.Metadata!.Model);
        Assert.Equal(AssessmentProfile.From(AssessmentSamples.Event().Results).TemplateWelcome(), welcome.Content);
        model.Verify(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task Model_welcome_is_stored_with_the_model_name()
    {
        var store = new InMemoryConversationStore();
        var model = new Mock<IChatClient>();
        model.Setup(c => c.GetResponseAsync(It.IsAny<IEnumerable<ChatMessage>>(), It.IsAny<ChatOptions?>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Welcome, analyst!")));
        var service = AssessmentSamples.Service(store, models: AssessmentSamples.Model("gpt-main", model.Object));

        var outcome = await service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None);

        Assert.Equal("Welcome, analyst!", outcome.Welcome!.Content);
        Assert.Equal("gpt-main", outcome.Welcome.Metadata!.Model);
    }

    [Fact]
    public async Task A_newer_assessment_creates_a_new_conversation_and_archives_the_previous_one()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store);

        var first = await service.HandleAsync(AssessmentSamples.Event(assessmentId: "old", completedAt: "2026-01-01T00:00:00Z"), CancellationToken.None);
        var second = await service.HandleAsync(AssessmentSamples.Event(assessmentId: "new", completedAt: "2026-06-01T00:00:00Z"), CancellationToken.None);

        Assert.NotEqual(first.Conversation.Id, second.Conversation.Id);
        Assert.Equal([first.Conversation.Id], second.ArchivedConversationIds);
        var byId = store.AllConversations().ToDictionary(c => c.Id);
        Assert.Equal(ConversationStatus.Archived, byId[first.Conversation.Id].Status);
        Assert.Equal(ConversationStatus.Active, byId[second.Conversation.Id].Status);
    }

    [Fact]
    public async Task A_late_redelivery_of_an_older_assessment_does_not_archive_the_newer_one()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store);

        var newer = await service.HandleAsync(AssessmentSamples.Event(assessmentId: "new", completedAt: "2026-06-01T00:00:00Z"), CancellationToken.None);
        var older = await service.HandleAsync(AssessmentSamples.Event(assessmentId: "old", completedAt: "2026-01-01T00:00:00Z"), CancellationToken.None);

        var byId = store.AllConversations().ToDictionary(c => c.Id);
        Assert.Equal(ConversationStatus.Active, byId[newer.Conversation.Id].Status);
        Assert.Equal(ConversationStatus.Archived, byId[older.Conversation.Id].Status);
    }

    [Fact]
    public async Task Archiving_can_be_switched_off()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store, archivePrevious: false);

        await service.HandleAsync(AssessmentSamples.Event(assessmentId: "old", completedAt: "2026-01-01T00:00:00Z"), CancellationToken.None);
        await service.HandleAsync(AssessmentSamples.Event(assessmentId: "new", completedAt: "2026-06-01T00:00:00Z"), CancellationToken.None);

        Assert.All(store.AllConversations(), c => Assert.Equal(ConversationStatus.Active, c.Status));
    }

    [Fact]
    public async Task Other_users_assessment_conversations_are_never_touched()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store);

        var other = await service.HandleAsync(AssessmentSamples.Event(userId: "someone-else", assessmentId: "a", completedAt: "2026-01-01T00:00:00Z"), CancellationToken.None);
        await service.HandleAsync(AssessmentSamples.Event(userId: "user-1", assessmentId: "b", completedAt: "2026-06-01T00:00:00Z"), CancellationToken.None);

        Assert.Equal(ConversationStatus.Active, store.AllConversations().Single(c => c.Id == other.Conversation.Id).Status);
    }

    [Fact]
    public async Task Same_assessment_id_for_two_users_gives_two_conversations()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store);

        var a = await service.HandleAsync(AssessmentSamples.Event(userId: "alice"), CancellationToken.None);
        var b = await service.HandleAsync(AssessmentSamples.Event(userId: "bob"), CancellationToken.None);

        Assert.NotEqual(a.Conversation.Id, b.Conversation.Id);
        Assert.Equal(2, store.AllConversations().Count);
    }

    [Fact]
    public async Task A_conversation_the_user_deleted_is_not_resurrected_by_a_redelivery()
    {
        var store = new InMemoryConversationStore();
        var sink = new RecordingNotificationSink();
        var service = AssessmentSamples.Service(store, sink);
        var first = await service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None);
        store.MarkDeleted("user-1", first.Conversation.Id);

        var again = await service.HandleAsync(AssessmentSamples.Event(), CancellationToken.None);

        Assert.Equal(ConversationStatus.Deleted, again.Conversation.Status);
        Assert.Null(again.Notification);
        Assert.Single(store.MessagesOf("user-1", first.Conversation.Id));
    }

    [Fact]
    public async Task Title_override_is_used_when_creating()
    {
        var store = new InMemoryConversationStore();

        var outcome = await AssessmentSamples.Service(store).HandleAsync(AssessmentSamples.Event(), "My results", CancellationToken.None);

        Assert.Equal("My results", outcome.Conversation.Title);
    }

    [Fact]
    public async Task Notification_points_at_the_conversation_and_assessment()
    {
        var sink = new RecordingNotificationSink();

        var outcome = await AssessmentSamples.Service(new InMemoryConversationStore(), sink).HandleAsync(AssessmentSamples.Event(), CancellationToken.None);

        var notification = Assert.Single(sink.Records);
        Assert.Equal(outcome.Conversation.Id, notification.ConversationId);
        Assert.Equal("asm-1", notification.AssessmentId);
        Assert.Equal("user-1", notification.UserId);
        Assert.Equal("chatbot_ready", notification.Type);
    }

    [Fact]
    public async Task Latest_assessment_conversation_is_found_by_completion_time()
    {
        var store = new InMemoryConversationStore();
        var service = AssessmentSamples.Service(store);
        await service.HandleAsync(AssessmentSamples.Event(assessmentId: "new", completedAt: "2026-06-01T00:00:00Z"), CancellationToken.None);
        await service.HandleAsync(AssessmentSamples.Event(assessmentId: "old", completedAt: "2026-01-01T00:00:00Z"), CancellationToken.None);

        var latest = await service.FindLatestAssessmentConversationAsync("user-1", CancellationToken.None);

        Assert.Equal("new", latest!.AssessmentId);
        Assert.Null(await service.FindLatestAssessmentConversationAsync("nobody", CancellationToken.None));
    }

    [Fact]
    public void Ids_are_deterministic_and_distinct_per_user_and_assessment()
    {
        Assert.Equal(AssessmentIds.ConversationId("u", "a"), AssessmentIds.ConversationId("u", "a"));
        Assert.NotEqual(AssessmentIds.ConversationId("u", "a"), AssessmentIds.ConversationId("u", "b"));
        Assert.NotEqual(AssessmentIds.ConversationId("u", "a"), AssessmentIds.ConversationId("v", "a"));
        Assert.NotEqual(AssessmentIds.ConversationId("ua", ""), AssessmentIds.ConversationId("u", "a"));
        Assert.Equal(AssessmentIds.NotificationId("u", "a"), AssessmentIds.NotificationId("u", "a"));
        Assert.Equal(AssessmentIds.WelcomeMessageId("c"), AssessmentIds.WelcomeMessageId("c"));
        Assert.NotEqual(AssessmentIds.WelcomeMessageId("c"), AssessmentIds.WelcomeMessageId("d"));
    }
}
