namespace RagFunctions.Core.History;

/// <summary>Bound from <c>RagFunctions:History</c>: retention of soft-deleted conversations (both stores).</summary>
public sealed class HistoryOptions
{
    public const string Section = "RagFunctions:History";

    /// <summary>Days a soft-deleted conversation (and its messages) is kept before it is purged (SQLite) or expires by TTL (Cosmos DB).</summary>
    public int DeletedRetentionDays { get; set; } = 30;

    public TimeSpan DeletedRetention => TimeSpan.FromDays(Math.Max(0, DeletedRetentionDays));
}
