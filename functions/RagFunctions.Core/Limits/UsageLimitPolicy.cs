namespace RagFunctions.Core.Limits;

/// <summary>One configured allowance: at most <paramref name="Quota"/> units of <paramref name="Kind"/> in any <paramref name="Window"/>.</summary>
/// <param name="Name">Stable name, used as the policy item in the <c>RateLimit-Policy</c>/<c>RateLimit</c> headers and in the usage summary.</param>
/// <param name="Setting">The configuration key that sets the quota, named in problems so an operator knows what to change.</param>
public sealed record UsageLimitPolicy(string Name, UsageKind Kind, long Quota, TimeSpan Window, string Setting)
{
    public const string MessagesPerHour = "messages-per-hour";
    public const string ConversationsPerDay = "conversations-per-day";
    public const string TokensPerDay = "tokens-per-day";

    /// <summary>The policies with a quota above zero, in a fixed order.</summary>
    public static IReadOnlyList<UsageLimitPolicy> From(UsageLimitOptions options)
    {
        var all = new[]
        {
            new UsageLimitPolicy(MessagesPerHour, UsageKind.Message, options.MessagesPerHour, TimeSpan.FromHours(1), UsageLimitOptions.Section + ":MessagesPerHour"),
            new UsageLimitPolicy(ConversationsPerDay, UsageKind.Conversation, options.ConversationsPerDay, TimeSpan.FromDays(1), UsageLimitOptions.Section + ":ConversationsPerDay"),
            new UsageLimitPolicy(TokensPerDay, UsageKind.Tokens, options.TokensPerDay, TimeSpan.FromDays(1), UsageLimitOptions.Section + ":TokensPerDay"),
        };
        return [.. all.Where(p => p.Quota > 0)];
    }
}

/// <summary>Where a user stands against one policy now.</summary>
/// <param name="Used">Units counted in the window.</param>
/// <param name="ResetAfter">Until the window has room again when exhausted; otherwise until the oldest counted unit leaves the window
/// (zero when nothing is counted).</param>
public sealed record UsageAllowance(UsageLimitPolicy Policy, long Used, TimeSpan ResetAfter)
{
    public long Remaining => Math.Max(0, Policy.Quota - Used);

    public bool Exhausted => Used >= Policy.Quota;
}
