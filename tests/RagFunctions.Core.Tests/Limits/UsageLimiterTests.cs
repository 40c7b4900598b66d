using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.History;
using RagFunctions.Core.Limits;
using RagFunctions.Tests.Fakes.Limits;

namespace RagFunctions.Core.Tests.Limits;

public sealed class UsageLimiterTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
    private readonly InMemoryUsageLedger _ledger = new();
    private readonly ManualTimeProvider _time = new(T0);

    private UsageLimiter Limiter(int messagesPerHour = 0, int conversationsPerDay = 0, long tokensPerDay = 0) => new(
        _ledger,
        Options.Create(new UsageLimitOptions { MessagesPerHour = messagesPerHour, ConversationsPerDay = conversationsPerDay, TokensPerDay = tokensPerDay }),
        _time,
        NullLogger<UsageLimiter>.Instance);

    [Fact]
    public async Task Messages_over_the_hourly_quota_are_refused_until_the_oldest_leaves_the_window()
    {
        var limiter = Limiter(messagesPerHour: 3);
        await limiter.AdmitMessageAsync("alice", default);
        _time.Advance(TimeSpan.FromMinutes(10));
        await limiter.AdmitMessageAsync("alice", default);
        await limiter.AdmitMessageAsync("alice", default);

        var refused = await Assert.ThrowsAsync<UsageLimitExceededProblemException>(() => limiter.AdmitMessageAsync("alice", default));

        Assert.Equal(429, refused.StatusCode);
        Assert.Equal(UsageLimitPolicy.MessagesPerHour, refused.Exceeded.Policy.Name);
        Assert.Equal(3, refused.Exceeded.Used);
        Assert.Equal(0, refused.Exceeded.Remaining);
        Assert.Equal(50 * 60, refused.RetryAfterSeconds);
        Assert.Contains("RagFunctions:Limits:MessagesPerHour", refused.Message, StringComparison.Ordinal);
        Assert.Equal(3, _ledger.Count("alice", UsageKind.Message));

        // Another user has their own allowance.
        await limiter.AdmitMessageAsync("bob", default);

        _time.Advance(TimeSpan.FromMinutes(50));
        await limiter.AdmitMessageAsync("alice", default);
        await Assert.ThrowsAsync<UsageLimitExceededProblemException>(() => limiter.AdmitMessageAsync("alice", default));
    }

    [Fact]
    public async Task Conversations_per_day_count_separately_from_messages()
    {
        var limiter = Limiter(messagesPerHour: 1, conversationsPerDay: 2);
        await limiter.AdmitConversationAsync("alice", default);
        await limiter.AdmitConversationAsync("alice", default);
        await limiter.AdmitMessageAsync("alice", default);

        var refused = await Assert.ThrowsAsync<UsageLimitExceededProblemException>(() => limiter.AdmitConversationAsync("alice", default));

        Assert.Equal(UsageLimitPolicy.ConversationsPerDay, refused.Exceeded.Policy.Name);
        Assert.Equal(24 * 3600, refused.RetryAfterSeconds);
        Assert.Equal(2, _ledger.Count("alice", UsageKind.Conversation));
    }

    [Fact]
    public async Task Tokens_per_day_refuse_the_next_turn_once_used_up_and_the_refused_turn_reserves_nothing()
    {
        var limiter = Limiter(messagesPerHour: 100, tokensPerDay: 1000);
        await limiter.AdmitMessageAsync("alice", default);
        await limiter.RecordTokensAsync("alice", new TokenUsage(600, 100), default);
        _time.Advance(TimeSpan.FromHours(2));
        await limiter.AdmitMessageAsync("alice", default);
        await limiter.RecordTokensAsync("alice", new TokenUsage(400, 0), default);

        var refused = await Assert.ThrowsAsync<UsageLimitExceededProblemException>(() => limiter.AdmitMessageAsync("alice", default));

        Assert.Equal(UsageLimitPolicy.TokensPerDay, refused.Exceeded.Policy.Name);
        Assert.Equal(1100, refused.Exceeded.Used);
        // The first 700 tokens must leave the 24 h window before the total is under 1,000 again: 22 h from now.
        Assert.Equal(22 * 3600, refused.RetryAfterSeconds);
        Assert.Equal(2, _ledger.Count("alice", UsageKind.Message));
    }

    [Fact]
    public async Task Zero_means_unlimited_and_writes_nothing()
    {
        var limiter = Limiter();
        for (var i = 0; i < 50; i++)
        {
            await limiter.AdmitMessageAsync("alice", default);
            await limiter.AdmitConversationAsync("alice", default);
            await limiter.RecordTokensAsync("alice", new TokenUsage(1000, 1000), default);
        }

        Assert.Empty(limiter.Policies);
        Assert.Empty(await limiter.GetAllowancesAsync("alice", default));
        Assert.Equal(0, _ledger.Count("alice", UsageKind.Message) + _ledger.Count("alice", UsageKind.Conversation) + _ledger.Count("alice", UsageKind.Tokens));
    }

    [Fact]
    public async Task Concurrent_admissions_never_exceed_the_quota()
    {
        _ledger.Delay = TimeSpan.FromMilliseconds(2);
        var limiter = Limiter(messagesPerHour: 5);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => Task.Run(async () =>
        {
            try
            {
                await limiter.AdmitMessageAsync("alice", default);
                return true;
            }
            catch (UsageLimitExceededProblemException)
            {
                return false;
            }
        })));

        var admitted = outcomes.Count(a => a);
        Assert.InRange(admitted, 0, 5);
        Assert.Equal(admitted, _ledger.Count("alice", UsageKind.Message));

        // Refused calls leave nothing behind: the remaining allowance is still there for sequential calls.
        _ledger.Delay = TimeSpan.Zero;
        for (var i = admitted; i < 5; i++)
        {
            await limiter.AdmitMessageAsync("alice", default);
        }

        await Assert.ThrowsAsync<UsageLimitExceededProblemException>(() => limiter.AdmitMessageAsync("alice", default));
    }

    [Fact]
    public async Task Allowances_report_used_remaining_and_reset_for_each_configured_policy()
    {
        var limiter = Limiter(messagesPerHour: 10, conversationsPerDay: 0, tokensPerDay: 5000);
        await limiter.AdmitMessageAsync("alice", default);
        await limiter.RecordTokensAsync("alice", new TokenUsage(300, 200), default);
        _time.Advance(TimeSpan.FromMinutes(15));

        var allowances = await limiter.GetAllowancesAsync("alice", default);

        Assert.Equal([UsageLimitPolicy.MessagesPerHour, UsageLimitPolicy.TokensPerDay], allowances.Select(a => a.Policy.Name));
        Assert.Equal((1, 9, TimeSpan.FromMinutes(45)), (allowances[0].Used, allowances[0].Remaining, allowances[0].ResetAfter));
        Assert.Equal((500, 4500), (allowances[1].Used, allowances[1].Remaining));
    }
}
