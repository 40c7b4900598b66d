using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;

namespace RagFunctions.Local.Storage;

/// <summary>Recognises failures of the local storage itself (read-only or unopenable database, full disk, I/O errors,
/// denied access), remembers the latest for the health endpoint, and logs each distinct cause once instead of once per
/// file or request (an unwritable database logged 1,213 stack traces during one rescan).</summary>
public sealed partial class StorageFaults(TimeProvider time, ILogger<StorageFaults> logger) : Api.Health.IStorageStatus
{
    string? Api.Health.IStorageStatus.RecentFault => RecentCause;

    /// <summary>How long after the last fault health reports <c>degraded</c>.</summary>
    public static readonly TimeSpan DegradedWindow = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, byte> _logged = new(StringComparer.Ordinal);
    private (string Cause, DateTimeOffset At)? _last;

    /// <summary>The cause of a storage fault within <see cref="DegradedWindow"/>, or null.</summary>
    public string? RecentCause
    {
        get
        {
            var last = _last;
            return last is { } l && time.GetUtcNow() - l.At < DegradedWindow ? l.Cause : null;
        }
    }

    /// <summary>The user-facing cause when <paramref name="exception"/> (or an inner one) is a storage fault; else null.</summary>
    public static string? CauseOf(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // SQLite result codes: https://www.sqlite.org/rescode.html
                case SqliteException { SqliteErrorCode: 8 }:
                    return "the database is read-only (check the permissions of the data folder and its ragfunctions.db, -wal and -shm files)";
                case SqliteException { SqliteErrorCode: 13 }:
                    return "the disk holding the data folder is full";
                case SqliteException { SqliteErrorCode: 14 }:
                    return "the database file cannot be opened";
                case SqliteException { SqliteErrorCode: 10 }:
                    return "disk I/O error on the database";
                case UnauthorizedAccessException:
                    return "access to a file in the data folder was denied";
                case IOException io when io.HResult is 28 or unchecked((int)0x80070070):
                    return "the disk holding the data folder is full";
            }
        }

        return null;
    }

    /// <summary>Records a fault; logs it only the first time this cause is seen.</summary>
    public void Report(string cause, Exception exception)
    {
        _last = (cause, time.GetUtcNow());
        if (_logged.TryAdd(cause, 0))
        {
            LogFault(exception, cause);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Storage fault: {Cause}. Writes answer 503 and health reports degraded until it is fixed; further occurrences are not logged")]
    private partial void LogFault(Exception exception, string cause);
}
