using RagFunctions.Core.Limits;

namespace RagFunctions.Tests.Fakes.Limits;

/// <summary>An in-memory <see cref="IUsageLedger"/> following the port's docs; <see cref="Delay"/> widens race windows for concurrency tests.</summary>
public sealed class InMemoryUsageLedger : IUsageLedger
{
    private readonly Lock _gate = new();
    private readonly Dictionary<(string User, string Id), UsageEntry> _entries = [];

    public TimeSpan Delay { get; set; }

    public int Count(string userId, UsageKind kind)
    {
        lock (_gate)
        {
            return _entries.Values.Count(e => e.UserId == userId && e.Kind == kind);
        }
    }

    public async Task RecordAsync(UsageEntry entry, CancellationToken cancellationToken)
    {
        await PauseAsync();
        lock (_gate)
        {
            _entries.TryAdd((entry.UserId, entry.Id), entry);
        }
    }

    public async Task RemoveAsync(string userId, string entryId, CancellationToken cancellationToken)
    {
        await PauseAsync();
        lock (_gate)
        {
            _entries.Remove((userId, entryId));
        }
    }

    public async Task<IReadOnlyList<UsageEntry>> ListAsync(string userId, UsageKind kind, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await PauseAsync();
        lock (_gate)
        {
            return [.. _entries.Values.Where(e => e.UserId == userId && e.Kind == kind && e.At >= since).OrderBy(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal)];
        }
    }

    private Task PauseAsync() => Delay > TimeSpan.Zero ? Task.Delay(Delay) : Task.CompletedTask;
}
