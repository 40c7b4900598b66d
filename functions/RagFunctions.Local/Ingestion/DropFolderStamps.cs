using System.Collections.Concurrent;

namespace RagFunctions.Local.Ingestion;

/// <summary>The last known (length, last write time) of each file in the drop folder, shared by the folder watcher and the
/// upload drop box: a file the drop box wrote and queued itself is already known, so the watcher's next scan does not queue
/// it a second time (which ran the intake again and left "unchanged content; re-ingest skipped" on a document just uploaded).</summary>
public sealed class DropFolderStamps
{
    private readonly ConcurrentDictionary<string, (long Length, DateTime Modified)> _stamps = new(StringComparer.Ordinal);

    /// <summary>Records the file's current stamp; true when it differs from the last one seen (new or changed content).</summary>
    public bool Update(string sourcePath, FileInfo file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var stamp = (file.Length, file.LastWriteTimeUtc);
        var previous = _stamps.GetValueOrDefault(sourcePath);
        _stamps[sourcePath] = stamp;
        return previous != stamp;
    }

    /// <summary>Forgets files that are no longer present.</summary>
    public void RetainOnly(IReadOnlySet<string> present)
    {
        ArgumentNullException.ThrowIfNull(present);
        foreach (var gone in _stamps.Keys.Where(k => !present.Contains(k)))
        {
            _stamps.TryRemove(gone, out _);
        }
    }
}
