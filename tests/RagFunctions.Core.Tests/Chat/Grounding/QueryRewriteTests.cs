using Microsoft.Extensions.Logging.Abstractions;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Chat.Grounding;
using RagFunctions.Core.History;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Core.Tests.Chat.Grounding;

public sealed class QueryRewriteTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly IReadOnlyList<ConversationMessage> History =
    [
        new("u1", "c", "alice", MessageRole.User, "What port does PostgreSQL listen on?", T0),
        new("a1", "c", "alice", MessageRole.Assistant, "The TCP port the server listens on; 5432 by default. [1]", T0.AddSeconds(1), "u1"),
    ];

    private static RetrievalQueryPlanner Planner(Microsoft.Extensions.AI.IChatClient model, TimeSpan timeout) =>
        new(new ChainModel("rewriter", model, timeout), NullLogger<RetrievalQueryPlanner>.Instance);

    [Fact]
    public async Task A_model_rewrites_a_follow_up_into_a_standalone_question_from_the_thread()
    {
        var model = new FuncChatClient(m => m[^1].Text.Contains("5432", StringComparison.Ordinal) ? "How can I change the port PostgreSQL listens on?" : "?");
        var query = await Planner(model, TimeSpan.FromSeconds(5)).PlanAsync("How can I change it?", History, null, CancellationToken.None);

        Assert.Equal("rewrite", query.Mode);
        Assert.Equal("How can I change the port PostgreSQL listens on?", query.Text);
        Assert.Equal("rewriter", query.Model);
    }

    [Fact]
    public async Task A_slow_failing_or_answering_model_falls_back_to_the_raw_message()
    {
        var slow = await Planner(new ScriptedChatClient("How can I change the port?", delay: TimeSpan.FromSeconds(10)), TimeSpan.FromMilliseconds(200))
            .PlanAsync("How can I change it?", History, null, CancellationToken.None);
        Assert.Equal(("How can I change it?", "rewrite-fallback"), (slow.Text, slow.Mode));
        Assert.Contains("No rewrite within", slow.Note, StringComparison.Ordinal);

        var failing = await Planner(new ScriptedChatClient(failure: new HttpRequestException("down")), TimeSpan.FromSeconds(5))
            .PlanAsync("How can I change it?", History, null, CancellationToken.None);
        Assert.Equal(("How can I change it?", "rewrite-fallback"), (failing.Text, failing.Mode));

        // A model that answers instead of restating shares no word with what the user wrote.
        var answering = await Planner(new ScriptedChatClient("Sure, happy to help!"), TimeSpan.FromSeconds(5))
            .PlanAsync("How can I change it?", History, null, CancellationToken.None);
        Assert.Equal("rewrite-fallback", answering.Mode);
    }

    [Fact]
    public async Task The_first_message_of_a_conversation_is_searched_as_it_is_without_calling_the_model()
    {
        var model = new FuncChatClient(_ => throw new InvalidOperationException("must not be called"));
        var query = await Planner(model, TimeSpan.FromSeconds(5)).PlanAsync("What port does PostgreSQL listen on?", [], null, CancellationToken.None);
        Assert.Equal(("What port does PostgreSQL listen on?", "message"), (query.Text, query.Mode));
    }
}
