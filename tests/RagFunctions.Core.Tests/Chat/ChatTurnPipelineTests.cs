using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Core.Tests.Chat;

public sealed class ChatTurnPipelineTests
{
    private static readonly CallerIdentity Alice = new("alice", "Alice", ["team-a"], "test");

    private readonly InMemoryConversationStore _store = new();
    private readonly InMemorySearchIndex _index = new InMemorySearchIndex()
        .Add("manual", "Manual", "The warranty period is two years. The device is blue.")
        .Add("secret", "Secret", "The warranty for bob is secret.", ["bob"]);

    private ChatTurnPipeline Pipeline(params (string Name, IChatClient Client)[] models) => Pipeline(new ChatPipelineOptions(), models);

    private ChatTurnPipeline Pipeline(ChatPipelineOptions pipelineOptions, params (string Name, IChatClient Client)[] models)
    {
        var counter = new WordTokenCounter();
        var options = Options.Create(pipelineOptions);
        IReadOnlyList<ChainModel> chain = models.Length == 0
            ? [new ChainModel(ExtractiveAnswerer.ModelName, new ExtractiveAnswerer(), TimeSpan.FromSeconds(5))]
            : [.. models.Select(m => new ChainModel(m.Name, m.Client, TimeSpan.FromSeconds(5)))];
        return new ChatTurnPipeline(
            _store,
            new ConversationLoader(_store),
            new HistoryWindow(counter),
            new SourceRetriever(_index, new FakeEmbedder(), NullLogger<SourceRetriever>.Instance),
            new ContextBuilder(counter),
            new PromptBuilder(counter),
            new ModelFallbackChain(chain, NullLogger<ModelFallbackChain>.Instance),
            counter,
            options,
            TimeProvider.System,
            NullLogger<ChatTurnPipeline>.Instance);
    }

    private async Task<Conversation> NewConversationAsync(ConversationStatus status = ConversationStatus.Active, string? summary = null)
    {
        var now = DateTimeOffset.UtcNow;
        var (c, _) = await _store.CreateIfNotExistsAsync(
            new Conversation(Guid.NewGuid().ToString("N"), Alice.UserId, ConversationTitles.Default, status, ContextTypes.General, null, summary, null, now, now, 0),
            CancellationToken.None);
        return c;
    }

    [Fact]
    public async Task A_turn_saves_both_messages_with_metadata_citations_and_a_title()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline();

        var turn = await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("  How long is the warranty period?  "), CancellationToken.None);
        var result = await pipeline.CompleteAsync(turn, CancellationToken.None);

        var saved = _store.Messages(conversation.Id);
        Assert.Equal([MessageRole.User, MessageRole.Assistant], saved.Select(m => m.Role));
        Assert.Equal("How long is the warranty period?", saved[0].Content);
        Assert.Equal(saved[0].Id, saved[1].ParentMessageId);
        Assert.Contains("[1]", saved[1].Content, StringComparison.Ordinal);
        Assert.Equal("manual-0", Assert.Single(saved[1].Citations!).ChunkId);
        Assert.NotEmpty(saved[1].FollowupQuestions!);
        Assert.DoesNotContain("<<", saved[1].Content, StringComparison.Ordinal);
        Assert.Equal(ExtractiveAnswerer.ModelName, saved[1].Metadata!.Model);
        Assert.Equal(0, saved[1].Metadata!.Usage!.TotalTokens); // no model ran
        Assert.Equal(1, JsonAssert.Property(saved[1].Metadata!.Diagnostics, "retrieval").GetProperty("sourcesUsed").GetInt32());
        Assert.Equal(result.AssistantMessage.Id, saved[1].Id);

        var stored = _store.Raw(Alice.UserId, conversation.Id)!;
        Assert.Equal("How long is the warranty period?", stored.Title);
        Assert.Equal(2, stored.MessageCount);
        Assert.Equal(["alice", "team-a"], _index.LastQuery!.Filter!.PrincipalIds);
        Assert.DoesNotContain(saved[1].Citations!, c => c.DocumentId == "secret");
    }

    [Fact]
    public async Task All_models_down_is_503_and_the_user_message_stays_saved()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline(("a", new ScriptedChatClient(failure: new HttpRequestException())), ("b", new ScriptedChatClient(failure: new TimeoutException())));

        var turn = await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty?"), CancellationToken.None);
        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => pipeline.CompleteAsync(turn, CancellationToken.None));

        var saved = Assert.Single(_store.Messages(conversation.Id));
        Assert.Equal(MessageRole.User, saved.Role);

        // The conversation stays usable.
        var next = await Pipeline().PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty again?"), CancellationToken.None);
        await Pipeline().CompleteAsync(next, CancellationToken.None);
        Assert.Equal(3, _store.Messages(conversation.Id).Count);
    }

    [Fact]
    public async Task Fallback_records_which_model_answered()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline(("primary", new ScriptedChatClient(failure: new HttpRequestException())), ("backup", new ScriptedChatClient("Two years [1]. <<Q1?>> <<Q2?>> <<Q3?>>")));

        var result = await pipeline.CompleteAsync(await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty?"), CancellationToken.None), CancellationToken.None);

        Assert.Equal("backup", result.Model);
        Assert.Equal("Two years [1].", result.AssistantMessage.Content);
        Assert.Equal(["Q1?", "Q2?", "Q3?"], result.FollowupQuestions);
        Assert.Equal(11, result.Usage.PromptTokens);
        var models = JsonAssert.Property(result.AssistantMessage.Metadata!.Diagnostics, "models");
        Assert.Equal("failed", models[0].GetProperty("outcome").GetString());
        Assert.Equal("backup", models[1].GetProperty("model").GetString());
    }

    [Theory]
    [InlineData(ConversationStatus.Archived)]
    [InlineData(ConversationStatus.Deleted)]
    public async Task Archived_or_deleted_conversation_is_a_conflict_or_not_found_and_nothing_is_written(ConversationStatus status)
    {
        var conversation = await NewConversationAsync(status);
        var writes = _store.Writes;

        var ex = await Assert.ThrowsAnyAsync<ProblemException>(() => Pipeline().PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("hi"), CancellationToken.None));

        // The store hides deleted conversations (404); archived ones are a 409.
        Assert.Equal(status == ConversationStatus.Archived ? 409 : 404, ex.StatusCode);
        Assert.Equal(writes, _store.Writes);
    }

    [Fact]
    public async Task Missing_conversation_or_invalid_content_writes_nothing()
    {
        var conversation = await NewConversationAsync();
        var writes = _store.Writes;
        var pipeline = Pipeline();

        await Assert.ThrowsAsync<NotFoundProblemException>(() => pipeline.PrepareTurnAsync(Alice, "nope", new TurnRequest("hi"), CancellationToken.None));
        await Assert.ThrowsAsync<NotFoundProblemException>(() =>
            pipeline.PrepareTurnAsync(Alice with { UserId = "mallory", GroupIds = [] }, conversation.Id, new TurnRequest("hi"), CancellationToken.None));
        await Assert.ThrowsAsync<ValidationProblemException>(() => pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("   "), CancellationToken.None));
        await Assert.ThrowsAsync<ValidationProblemException>(() => pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest(new string('x', 4001)), CancellationToken.None));
        Assert.Equal(writes, _store.Writes);
    }

    [Fact]
    public async Task Stream_yields_context_first_then_deltas_followups_usage_done()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline();
        var turn = await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty period?"), CancellationToken.None);

        var events = new List<ChatTurnEvent>();
        await foreach (var e in pipeline.StreamAsync(turn, CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.IsType<ContextEvent>(events[0]);
        Assert.IsType<DoneEvent>(events[^1]);
        Assert.IsType<UsageEvent>(events[^2]);
        Assert.IsType<FollowupsEvent>(events[^3]);
        var done = (DoneEvent)events[^1];
        var streamed = string.Concat(events.OfType<DeltaEvent>().Select(d => d.Text));
        Assert.Equal(done.Result.AssistantMessage.Content, streamed.Trim());
        Assert.False(done.Result.AssistantMessage.Incomplete);
        Assert.Equal(2, _store.Messages(conversation.Id).Count);
    }

    [Fact]
    public async Task A_stream_abandoned_midway_still_saves_the_answer_as_incomplete()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline(("slow", new ScriptedChatClient("one two three four five six", pieceDelay: TimeSpan.FromMilliseconds(20))));
        var turn = await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty?"), CancellationToken.None);
        using var cts = new CancellationTokenSource();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var e in pipeline.StreamAsync(turn, cts.Token))
            {
                if (e is DeltaEvent)
                {
                    await cts.CancelAsync();
                }
            }
        });

        var assistant = _store.Messages(conversation.Id).Single(m => m.Role == MessageRole.Assistant);
        Assert.True(assistant.Incomplete);
        Assert.StartsWith("one", assistant.Content, StringComparison.Ordinal);
        Assert.DoesNotContain("six", assistant.Content, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_with_every_model_down_ends_with_an_error_event_and_no_answer_saved()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline(("a", new ScriptedChatClient(failure: new HttpRequestException())));
        var turn = await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty?"), CancellationToken.None);

        var events = new List<ChatTurnEvent>();
        await foreach (var e in pipeline.StreamAsync(turn, CancellationToken.None))
        {
            events.Add(e);
        }

        Assert.Equal(503, Assert.IsType<ErrorEvent>(events[^1]).Problem.StatusCode);
        Assert.Equal(MessageRole.User, Assert.Single(_store.Messages(conversation.Id)).Role);
    }

    [Fact]
    public async Task Regeneration_adds_a_sibling_answer_to_the_same_user_message()
    {
        var conversation = await NewConversationAsync();
        var pipeline = Pipeline();
        var first = await pipeline.CompleteAsync(await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest("warranty?"), CancellationToken.None), CancellationToken.None);

        var again = await pipeline.CompleteAsync(await pipeline.PrepareRegenerationAsync(Alice, conversation.Id, first.AssistantMessage.Id, CancellationToken.None), CancellationToken.None);

        Assert.Equal(first.UserMessage.Id, again.AssistantMessage.ParentMessageId);
        Assert.NotEqual(first.AssistantMessage.Id, again.AssistantMessage.Id);
        var all = _store.Messages(conversation.Id);
        Assert.Equal(3, all.Count);
        Assert.Equal(again.AssistantMessage.Id, HistoryWindow.VisibleThread(all)[^1].Id);
    }

    [Fact]
    public async Task Context_summary_reaches_the_prompt_and_history_is_trimmed_to_budget()
    {
        var conversation = await NewConversationAsync(summary: "RIASEC I92 R85");
        var recorder = new ScriptedChatClient("ok");
        var pipeline = Pipeline(new ChatPipelineOptions { HistoryTokenBudget = 1000 }, ("m", recorder));
        for (var i = 0; i < 3; i++)
        {
            await pipeline.CompleteAsync(await pipeline.PrepareTurnAsync(Alice, conversation.Id, new TurnRequest($"question {i} " + string.Join(' ', Enumerable.Repeat("pad", 600))), CancellationToken.None), CancellationToken.None);
        }

        var sent = recorder.LastMessages!;
        Assert.Contains(sent, m => m.Text.Contains("RIASEC I92 R85", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, m => m.Role == ChatRole.User && m.Text.StartsWith("question 0", StringComparison.Ordinal));
        Assert.Contains(sent, m => m.Role == ChatRole.User && m.Text.StartsWith("question 1", StringComparison.Ordinal));
    }
}
