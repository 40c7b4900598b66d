using RagFunctions.Core.Limits;

namespace RagFunctions.Tests.Shared.History;

/// <summary>The behaviour every <see cref="IUsageLedger"/> must have, run against SQLite (Local.Tests) and Cosmos DB's test server (Azure.Tests).
/// Fresh user ids per test, so ledgers may be shared.</summary>
public abstract class UsageLedgerContractTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-3);

    protected abstract IUsageLedger Ledger { get; }

    protected static CancellationToken Ct => CancellationToken.None;

    protected static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    protected static UsageEntry Entry(string user, UsageKind kind, DateTimeOffset at, long amount = 1) =>
        new(user, Guid.CreateVersion7().ToString("N"), kind, amount, at);

    [StoreFact]
    public async Task List_returns_the_users_entries_of_one_kind_since_a_time_oldest_first()
    {
        var user = NewUser();
        var other = NewUser();
        var old = Entry(user, UsageKind.Message, T0);
        var first = Entry(user, UsageKind.Message, T0.AddMinutes(30));
        var second = Entry(user, UsageKind.Message, T0.AddMinutes(45));
        var tokens = Entry(user, UsageKind.Tokens, T0.AddMinutes(40), 1234);
        foreach (var e in new[] { second, tokens, old, first, Entry(other, UsageKind.Message, T0.AddMinutes(40)) })
        {
            await Ledger.RecordAsync(e, Ct);
        }

        var messages = await Ledger.ListAsync(user, UsageKind.Message, T0.AddMinutes(30), Ct);
        var tokenEntries = await Ledger.ListAsync(user, UsageKind.Tokens, T0, Ct);

        Assert.Equal([first.Id, second.Id], messages.Select(e => e.Id));
        Assert.All(messages, e => Assert.Equal((user, UsageKind.Message, 1L), (e.UserId, e.Kind, e.Amount)));
        Assert.Equal(first.At, messages[0].At);
        var t = Assert.Single(tokenEntries);
        Assert.Equal((tokens.Id, 1234L), (t.Id, t.Amount));
        Assert.Single(await Ledger.ListAsync(other, UsageKind.Message, T0, Ct));
        Assert.Empty(await Ledger.ListAsync(user, UsageKind.Conversation, T0, Ct));
    }

    [StoreFact]
    public async Task Recording_the_same_entry_twice_keeps_one()
    {
        var user = NewUser();
        var entry = Entry(user, UsageKind.Conversation, T0);

        await Ledger.RecordAsync(entry, Ct);
        await Ledger.RecordAsync(entry, Ct);

        Assert.Single(await Ledger.ListAsync(user, UsageKind.Conversation, T0.AddMinutes(-1), Ct));
    }

    [StoreFact]
    public async Task Remove_deletes_one_entry_of_the_user_and_an_unknown_id_is_not_an_error()
    {
        var user = NewUser();
        var keep = Entry(user, UsageKind.Message, T0);
        var drop = Entry(user, UsageKind.Message, T0.AddSeconds(1));
        await Ledger.RecordAsync(keep, Ct);
        await Ledger.RecordAsync(drop, Ct);

        await Ledger.RemoveAsync(user, drop.Id, Ct);
        await Ledger.RemoveAsync(user, drop.Id, Ct);
        await Ledger.RemoveAsync(NewUser(), keep.Id, Ct);

        Assert.Equal([keep.Id], (await Ledger.ListAsync(user, UsageKind.Message, T0.AddMinutes(-1), Ct)).Select(e => e.Id));
    }

    [StoreFact]
    public async Task Concurrent_records_are_all_counted()
    {
        var user = NewUser();

        await Task.WhenAll(Enumerable.Range(0, 25).Select(i => Task.Run(() => Ledger.RecordAsync(Entry(user, UsageKind.Tokens, T0.AddSeconds(i), 10), Ct))));

        Assert.Equal(250, (await Ledger.ListAsync(user, UsageKind.Tokens, T0, Ct)).Sum(e => e.Amount));
    }
}
