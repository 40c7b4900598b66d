using Microsoft.Data.Sqlite;

namespace RagFunctions.Local.Tests.Storage;

/// <summary>A scratch data directory for one test class's SQLite files, under the temp folder. Disposing releases pooled
/// connections first (they hold the database files open) and then deletes the directory, best effort: a folder left behind
/// does not affect other tests.</summary>
public sealed class TempDataDirectory(string prefix) : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ragfunctions-tests", prefix + "-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created.
        }
        catch (IOException)
        {
            // Best effort.
        }
    }
}
