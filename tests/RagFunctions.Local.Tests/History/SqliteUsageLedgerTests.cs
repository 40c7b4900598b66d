using Microsoft.Extensions.Options;
using RagFunctions.Core.Limits;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Limits;
using RagFunctions.Local.Storage;
using RagFunctions.Tests.Shared.History;

namespace RagFunctions.Local.Tests.History;

/// <summary>The shared usage-ledger contract against SQLite, plus its retention.</summary>
public sealed class SqliteUsageLedgerTests : UsageLedgerContractTests, IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", "ledger-" + Guid.NewGuid().ToString("N"));
    private readonly SqliteUsageLedger _ledger;

    public SqliteUsageLedgerTests()
    {
        _ledger = new SqliteUsageLedger(new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _directory })));
    }

    protected override IUsageLedger Ledger => _ledger;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

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
