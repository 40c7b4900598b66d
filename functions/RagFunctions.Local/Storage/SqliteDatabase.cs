using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Storage;

/// <summary>Opens connections to the one local SQLite file. Each store creates its own tables (<c>CREATE TABLE IF NOT EXISTS</c>) on first use.
/// WAL mode lets readers run while the ingestion writer commits.</summary>
public sealed class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeGate = new(1, 1);

    // Native handles that already ran the per-connection PRAGMAs. The pool hands the same handle out again and PRAGMA
    // settings live with the handle, so re-running them on every open only cost three statements per open (measured:
    // the catalog opens ~8 connections per ingested document). Weak keys: a handle the pool closes drops out by itself.
    private readonly ConditionalWeakTable<SQLitePCL.sqlite3, object> _configured = new();

    public SqliteDatabase(IOptions<LocalHostOptions> options)
    {
        var path = options.Value.DatabasePath;
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        FilePath = path;
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode=WAL;";
        pragma.ExecuteNonQuery();
    }

    /// <summary>Full path of the database file.</summary>
    public string FilePath { get; }

    /// <summary>An open connection with a busy timeout, so concurrent writers wait instead of failing with SQLITE_BUSY.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        var handle = connection.Handle;
        if (handle is null || !_configured.TryGetValue(handle, out _))
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA busy_timeout=10000; PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            if (handle is not null)
            {
                _configured.AddOrUpdate(handle, this);
            }
        }

        return connection;
    }

    /// <summary>Serialises this process's writes to the file; dispose the lease after the write (and its transaction) is done.</summary>
    /// <remarks>SQLite admits one writer at a time. Writers that collide inside SQLite wait in its busy handler, which sleeps in
    /// 1–100 ms steps and blocks a thread-pool thread; measured, two parallel ingestions ran at half the speed of one. Queuing here
    /// hands the lock over as soon as it is free. Do not nest: never acquire a second lease while holding one.</remarks>
    public async Task<IDisposable> EnterWriteAsync(CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        return new WriteLease(_writeGate);
    }

    private sealed class WriteLease(SemaphoreSlim gate) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}
