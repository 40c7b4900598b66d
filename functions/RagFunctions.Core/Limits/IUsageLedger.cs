namespace RagFunctions.Core.Limits;

/// <summary>What an entry of the usage ledger counts.</summary>
public enum UsageKind
{
    Message,
    Conversation,
    Tokens,
}

/// <summary>One counted use: <paramref name="Amount"/> is 1 for a message or conversation, the token count for tokens.</summary>
public sealed record UsageEntry(string UserId, string Id, UsageKind Kind, long Amount, DateTimeOffset At);

/// <summary>Per-user usage entries in shared storage, so every instance of the service counts the same allowance: Cosmos DB items in the
/// user's partition of the history container on Azure (with a TTL), a SQLite table locally. Always addressed by the user id.</summary>
public interface IUsageLedger
{
    /// <summary>How long entries must stay readable: longer than the longest window (24 h). Adapters may drop older ones.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(2);

    /// <summary>Adds the entry; recording the same id twice keeps one.</summary>
    Task RecordAsync(UsageEntry entry, CancellationToken cancellationToken);

    /// <summary>Removes an entry (a reservation that was refused); an unknown id is not an error.</summary>
    Task RemoveAsync(string userId, string entryId, CancellationToken cancellationToken);

    /// <summary>The user's entries of <paramref name="kind"/> at or after <paramref name="since"/>, oldest first (ties by id).</summary>
    Task<IReadOnlyList<UsageEntry>> ListAsync(string userId, UsageKind kind, DateTimeOffset since, CancellationToken cancellationToken);
}
