using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Core.Tests.Chat;

public sealed class ModelFallbackChainTests
{
    private static readonly IReadOnlyList<ChatMessage> Messages = [new(ChatRole.User, "hi")];

    private static ModelFallbackChain Chain(params (string Name, IChatClient Client, double TimeoutSeconds)[] models) =>
        new([.. models.Select(m => new ChainModel(m.Name, m.Client, TimeSpan.FromSeconds(m.TimeoutSeconds)))], NullLogger<ModelFallbackChain>.Instance);

    [Fact]
    public async Task First_fails_then_second_answers_and_is_recorded()
    {
        var broken = new ScriptedChatClient(failure: new HttpRequestException("500"));
        var good = new ScriptedChatClient("hello");

        var answer = await Chain(("primary", broken, 5), ("backup", good, 5)).GetResponseAsync(Messages, CancellationToken.None);

        Assert.Equal("backup", answer.Model);
        Assert.Equal("hello", answer.Text);
        Assert.Equal(["failed", "answered"], answer.Attempts.Select(a => a.Outcome));
        Assert.Equal(["primary", "backup"], answer.Attempts.Select(a => a.Model));
        Assert.Equal(1, broken.Calls);
    }

    [Fact]
    public async Task A_model_that_times_out_moves_on_to_the_next()
    {
        var slow = new ScriptedChatClient("late", delay: TimeSpan.FromSeconds(30));
        var answer = await Chain(("slow", slow, 0.2), ("fast", new ScriptedChatClient("quick"), 5)).GetResponseAsync(Messages, CancellationToken.None);

        Assert.Equal("fast", answer.Model);
        Assert.Equal("timeout", answer.Attempts[0].Outcome);
    }

    [Fact]
    public async Task All_models_down_is_upstream_unavailable()
    {
        var chain = Chain(("a", new ScriptedChatClient(failure: new InvalidOperationException("x")), 5), ("b", new ScriptedChatClient(failure: new HttpRequestException("y")), 5));

        var problem = await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => chain.GetResponseAsync(Messages, CancellationToken.None));
        Assert.Equal(503, problem.StatusCode);
        Assert.Contains("a: failed", problem.Message, StringComparison.Ordinal);
        Assert.Contains("b: failed", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caller_cancellation_is_not_treated_as_a_model_failure()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        var second = new ScriptedChatClient("never");
        var chain = Chain(("a", new ScriptedChatClient("x", delay: TimeSpan.FromSeconds(5)), 10), ("b", second, 10));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => chain.GetResponseAsync(Messages, cts.Token));
        Assert.Equal(0, second.Calls);
    }

    [Fact]
    public async Task Streaming_falls_back_before_the_first_piece()
    {
        var attempts = new List<ModelAttempt>();
        var chain = Chain(("a", new ScriptedChatClient(failure: new HttpRequestException("down")), 5), ("b", new ScriptedChatClient("one two"), 5));

        var text = "";
        await foreach (var item in chain.StreamAsync(Messages, attempts, CancellationToken.None))
        {
            Assert.Equal("b", item.Model);
            text += item.Text;
        }

        Assert.Equal("one two ", text);
        Assert.Equal(["failed", "answered"], attempts.Select(a => a.Outcome));
    }
}
