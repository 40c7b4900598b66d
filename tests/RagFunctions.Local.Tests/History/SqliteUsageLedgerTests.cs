using Microsoft.Extensions.Options;
using RagFunctions.Core.Limits;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Limits;
using RagFunctions.Local.Storage;
using RagFunctions.Tests.Shared.History;
using RagFunctions.Local.Tests.Storage;

namespace RagFunctions.Local.Tests.History;

/// <summary>The shared usage-ledger contract against SQLite, plus its retention.</summary>
public sealed class SqliteUsageLedgerTests : UsageLedgerContractTests, IDisposable
{
    private readonly TempDataDirectory _temp = new("ledger");
    private readonly SqliteUsageLedger _ledger;

    public SqliteUsageLedgerTests()
    {
        _ledger = new SqliteUsageLedger(new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _temp.Path })));
    }

    protected override IUsageLedger Ledger => _ledger;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Recording_drops_the_users_entries_older_than_the_retention()
    {
        var user = NewUser();
        var now = DateTimeOffset.UtcNow;
        var expired = Entry(user, UsageKind.Message, now - IUsageLedger.Retention - TimeSpan.FromMinutes(1));
        var kept = Entry(user, UsageKind.Message, now - IUsageLedger.Retention + TimeSpan.FromMinutes(1));
        await _ledger.RecordAsync(expired, Ct);
        await _ledger.RecordAsync(kept, Ct);
        Assert.Equal(2, await _ledger.CountRowsAsync(user, Ct));

        await _ledger.RecordAsync(Entry(user, UsageKind.Tokens, now, 5), Ct);

        Assert.Equal(2, await _ledger.CountRowsAsync(user, Ct));
        Assert.Equal([kept.Id], (await _ledger.ListAsync(user, UsageKind.Message, DateTimeOffset.MinValue, Ct)).Select(e => e.Id));
    }
}
