namespace RagFunctions.Core.Limits;

/// <summary>Bound from <c>RagFunctions:Limits</c>: per-user allowances, counted in sliding windows from the shared usage ledger so every
/// instance of the service agrees. 0 turns a limit off.</summary>
public sealed class UsageLimitOptions
{
    public const string Section = "RagFunctions:Limits";

    /// <summary>Chat turns (new messages, regenerations and AI Chat Protocol calls) a user may start in any 60 minutes.</summary>
    public int MessagesPerHour { get; set; } = 60;

    /// <summary>Conversations a user may create in any 24 hours (assessment conversations, created by the service from an event, do not count).</summary>
    public int ConversationsPerDay { get; set; } = 50;

    /// <summary>Model tokens (prompt + completion) a user may use in any 24 hours. Checked before a turn starts and counted after it ends,
    /// so the turn that crosses the line finishes; the next one is refused.</summary>
    public long TokensPerDay { get; set; } = 200_000;
}
