using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Storage;

/// <summary>Refuses to start on a data folder the host cannot use, with a message that says what and how to fix it,
/// instead of failing later on every write — or dying of SIGBUS when SQLite maps an unwritable <c>-shm</c> file.</summary>
public static class DataDirectoryCheck
{
    public static void EnsureUsable(LocalHostOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var folder = Path.GetFullPath(options.DataDirectory);
        var database = options.DatabasePath;
        try
        {
            Directory.CreateDirectory(folder);
            var probe = Path.Combine(folder, $".write-check-{Environment.ProcessId}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            foreach (var file in new[] { database, database + "-wal", database + "-shm" })
            {
                if (File.Exists(file))
                {
                    // Opening for writing is what SQLite will do (and mmap the -shm file); check it here, where it can be reported.
                    using var stream = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw new InvalidOperationException(
                $"The data folder '{folder}' is not usable: {ex.Message} Make it (and ragfunctions.db, -wal, -shm in it) writable "
                + $"by this user, or set {LocalHostOptions.Section}:{nameof(LocalHostOptions.DataDirectory)} to a writable folder.", ex);
        }
    }
}
