using Microsoft.Extensions.Options;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Tests.Storage;

public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDataDirectory _temp = new("sqlitedb");

    [Fact]
    public async Task Every_opened_connection_has_the_busy_timeout_foreign_keys_and_synchronous_settings_also_when_reused_from_the_pool()
    {
        var database = new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _temp.Path }));

        // Sequential opens reuse the pooled handle, where the PRAGMAs are no longer re-run; two at once force a second handle.
        for (var round = 0; round < 3; round++)
        {
            await using var first = await database.OpenAsync(CancellationToken.None);
            await using var second = await database.OpenAsync(CancellationToken.None);
            foreach (var connection in new[] { first, second })
            {
                Assert.Equal(10000L, await ScalarAsync(connection, "PRAGMA busy_timeout"));
                Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA foreign_keys"));
                Assert.Equal(1L, await ScalarAsync(connection, "PRAGMA synchronous")); // NORMAL
            }
        }
    }

    public void Dispose() => _temp.Dispose();

    private static async Task<long> ScalarAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
