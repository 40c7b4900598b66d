using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Limits;

/// <summary>The per-user limits rule (issue 11): sliding windows counted from the shared <see cref="IUsageLedger"/>.</summary>
/// <remarks>
/// A message or conversation is admitted by <b>recording first, then counting</b>: the new entry is written, the window is read back, and if
/// the count (including the new entry) is over the quota the entry is removed and the call refused. Across instances this never admits more
/// than the quota: of any quota+1 admitted entries, the one recorded last would have counted all the others. Under a race it can refuse one
/// call too many (both contenders see each other), so a call that lost only to concurrent ones backs off at random and tries again
/// (at most three attempts); a refused client is told when to retry.
/// Tokens are known only after the model answered, so the token rule is checked before a turn (any room left) and the turn's tokens are
/// added after it; the turn that crosses the line completes.
/// </remarks>
public sealed partial class UsageLimiter(IUsageLedger ledger, IOptions<UsageLimitOptions> options, TimeProvider time, ILogger<UsageLimiter> logger)
{
    private const int MaxReserveAttempts = 3;

    public IReadOnlyList<UsageLimitPolicy> Policies { get; } = UsageLimitPolicy.From(options.Value);

    /// <summary>Before a turn: the token allowance must have room and a message slot is reserved. Throws <see cref="UsageLimitExceededProblemException"/>.</summary>
    public async Task AdmitMessageAsync(string userId, CancellationToken cancellationToken)
    {
        if (Find(UsageKind.Tokens) is { } tokens)
        {
            var allowance = await EvaluateAsync(userId, tokens, cancellationToken).ConfigureAwait(false);
            if (allowance.Exhausted)
            {
                throw Refuse(userId, allowance);
            }
        }

        await ReserveAsync(userId, UsageKind.Message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Before a user creates a conversation: reserves one of the day's conversations.</summary>
    public Task AdmitConversationAsync(string userId, CancellationToken cancellationToken) =>
        ReserveAsync(userId, UsageKind.Conversation, cancellationToken);

    /// <summary>After a turn: counts its model tokens. Never throws: the answer exists and must reach the user; a lost count is logged.</summary>
    public async Task RecordTokensAsync(string userId, TokenUsage usage, CancellationToken cancellationToken)
    {
        if (Find(UsageKind.Tokens) is null || usage.TotalTokens <= 0)
        {
            return;
        }

        try
        {
            await ledger.RecordAsync(new UsageEntry(userId, NewId(), UsageKind.Tokens, usage.TotalTokens, time.GetUtcNow()), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogTokensNotRecorded(ex, usage.TotalTokens);
        }
    }

    /// <summary>Where the user stands against every configured policy (for the usage summary).</summary>
    public async Task<IReadOnlyList<UsageAllowance>> GetAllowancesAsync(string userId, CancellationToken cancellationToken)
    {
        var result = new List<UsageAllowance>(Policies.Count);
        foreach (var policy in Policies)
        {
            result.Add(await EvaluateAsync(userId, policy, cancellationToken).ConfigureAwait(false));
        }

        return result;
    }

    private async Task ReserveAsync(string userId, UsageKind kind, CancellationToken cancellationToken)
    {
        if (Find(kind) is not { } policy)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            var entry = new UsageEntry(userId, NewId(), kind, 1, time.GetUtcNow());
            await ledger.RecordAsync(entry, cancellationToken).ConfigureAwait(false);
            var entries = await ListWindowAsync(userId, policy, cancellationToken).ConfigureAwait(false);
            if (entries.Sum(e => e.Amount) <= policy.Quota)
            {
                return;
            }

            await ledger.RemoveAsync(userId, entry.Id, CancellationToken.None).ConfigureAwait(false);
            // Lost only to calls racing with this one (the entries before ours leave room): back off at random and try again, so a burst
            // does not refuse every contender. Otherwise the allowance is really used up.
            var before = entries.TakeWhile(e => e.Id != entry.Id).Sum(e => e.Amount);
            if (before < policy.Quota && attempt < MaxReserveAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(5, 25 * attempt)), cancellationToken).ConfigureAwait(false);
                continue;
            }

            // Counted again without our entry: what the client is told (used, when to retry) must not include the refused call.
            throw Refuse(userId, await EvaluateAsync(userId, policy, CancellationToken.None).ConfigureAwait(false));
        }
    }

    /// <summary>Entries still inside the window: one at time A counts while now &lt; A + window.</summary>
    private Task<IReadOnlyList<UsageEntry>> ListWindowAsync(string userId, UsageLimitPolicy policy, CancellationToken cancellationToken) =>
        ledger.ListAsync(userId, policy.Kind, time.GetUtcNow() - policy.Window + TimeSpan.FromTicks(1), cancellationToken);

    private async Task<UsageAllowance> EvaluateAsync(string userId, UsageLimitPolicy policy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var entries = await ListWindowAsync(userId, policy, cancellationToken).ConfigureAwait(false);
        var used = entries.Sum(e => e.Amount);
        return new UsageAllowance(policy, used, ResetAfter(entries, used, policy, now));
    }

    /// <summary>Exhausted: when enough of the oldest units have left the window for one more to fit. Otherwise: when the oldest unit leaves.</summary>
    private static TimeSpan ResetAfter(IReadOnlyList<UsageEntry> oldestFirst, long used, UsageLimitPolicy policy, DateTimeOffset now)
    {
        if (oldestFirst.Count == 0)
        {
            return TimeSpan.Zero;
        }

        var remaining = used;
        foreach (var entry in oldestFirst)
        {
            remaining -= entry.Amount;
            if (remaining < policy.Quota)
            {
                var at = entry.At + policy.Window - now;
                return at > TimeSpan.Zero ? at : TimeSpan.Zero;
            }
        }

        return policy.Window;
    }

    private UsageLimitExceededProblemException Refuse(string userId, UsageAllowance allowance)
    {
        LogRefused(userId, allowance.Policy.Name, allowance.Used, allowance.Policy.Quota);
        return new UsageLimitExceededProblemException(allowance, Policies);
    }

    private UsageLimitPolicy? Find(UsageKind kind) => Policies.FirstOrDefault(p => p.Kind == kind);

    private static string NewId() => Guid.CreateVersion7().ToString("N");

    [LoggerMessage(Level = LogLevel.Information, Message = "User {UserId} refused by {Policy}: {Used} of {Quota} used")]
    private partial void LogRefused(string userId, string policy, long used, long quota);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not record {Tokens} model tokens in the usage ledger; they do not count against the daily limit")]
    private partial void LogTokensNotRecorded(Exception exception, int tokens);
}
