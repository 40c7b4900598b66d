using System.Collections.Concurrent;
using System.IO.Enumeration;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Local.Ingestion;

/// <summary>The local stand-in for the <c>documents</c> blob container: a folder. Source paths are relative to it.</summary>
/// <remarks>The folder never follows a link out of itself: every path check resolves symbolic links
/// (<see cref="FileSystemInfo.LinkTarget"/>, <see cref="FileSystemInfo.ResolveLinkTarget(bool)"/>) component by component and
/// requires the real path to stay under the real root. Links that point outside are refused and logged once per path;
/// scans do not descend into linked directories.</remarks>
public sealed partial class DropFolder : IDocumentSource
{
    /// <summary>Files up to this size are read once into memory for hashing and extraction (extraction holds them whole anyway).</summary>
    public const long MaxLoadBytes = 256L * 1024 * 1024;

    // Flow-scoped (set by the ingestion of one file, seen by its activities), so parallel ingestions never see each other's bytes.
    private readonly AsyncLocal<LoadedFile?> _loaded = new();

    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, bool> _refusedLinks = new(StringComparer.Ordinal);

    public DropFolder(IOptions<IngestionOptions> options, IOptions<Hosting.LocalHostOptions> host, ILogger<DropFolder>? logger = null)
    {
        var configured = options.Value.DropFolder;
        // Without a trailing separator: ToFullPath appends one when it checks that a path stays inside the folder.
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(host.Value.DataDirectory, "documents") : configured));
        Directory.CreateDirectory(Root);
        RealRoot = Path.TrimEndingDirectorySeparator(RealPath(Root));
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary><see cref="Root"/> with every symbolic link resolved.</summary>
    public string RealRoot { get; }

    /// <summary>Every file under the folder a scan should consider: directories that are links are not entered, and files
    /// whose resolved target is outside the folder are left out (and logged once).</summary>
    public IEnumerable<string> EnumerateFiles()
    {
        var files = new FileSystemEnumerable<string>(Root, (ref FileSystemEntry entry) => entry.ToFullPath(),
            new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = true })
        {
            ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory || (entry.Attributes & FileAttributes.ReparsePoint) != 0,
            ShouldRecursePredicate = (ref FileSystemEntry entry) => (entry.Attributes & FileAttributes.ReparsePoint) == 0,
        };
        foreach (var path in files)
        {
            if (Directory.Exists(path))
            {
                // A linked directory: never entered; refused (and logged) when it leads outside.
                _ = IsInside(path);
                continue;
            }

            if (IsInside(path))
            {
                yield return path;
            }
        }
    }

    /// <summary>True when <paramref name="fullPath"/>, with links resolved, is under the folder; logs the first refusal of each path.</summary>
    public bool IsInside(string fullPath)
    {
        string real;
        try
        {
            real = RealPath(fullPath);
        }
        catch (IOException)
        {
            real = "";
        }
        catch (UnauthorizedAccessException)
        {
            real = "";
        }

        if (real.StartsWith(RealRoot + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return true;
        }

        if (_refusedLinks.TryAdd(fullPath, true))
        {
            LogLinkRefused(ToSourcePath(fullPath), real.Length == 0 ? "(unresolvable)" : real);
        }

        return false;
    }

    /// <summary>The path with every existing component's symbolic link resolved to its final target (like realpath(3) for
    /// the part that exists; the rest is appended as written). A dangling link throws <see cref="IOException"/>.</summary>
    public static string RealPath(string path)
    {
        var full = Path.GetFullPath(path);
        var root = Path.GetPathRoot(full)!;
        var current = root;
        var segments = full[root.Length..].Split(Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries);
        for (var i = 0; i < segments.Length; i++)
        {
            var candidate = Path.Combine(current, segments[i]);
            FileSystemInfo info = new FileInfo(candidate);
            if (!info.Exists)
            {
                info = new DirectoryInfo(candidate);
            }

            if (!info.Exists && info.LinkTarget is null)
            {
                // Nothing here yet (a file about to be written): the remaining components cannot be links.
                return Path.Combine([current, .. segments[i..]]);
            }

            if (info.LinkTarget is not null)
            {
                var target = info.ResolveLinkTarget(returnFinalTarget: true)
                    ?? throw new IOException($"'{candidate}' is a link that cannot be resolved");
                if (!target.Exists)
                {
                    throw new IOException($"'{candidate}' is a dangling link");
                }

                // The target may itself sit below linked directories: resolve it the same way.
                current = RealPath(target.FullName);
            }
            else
            {
                current = candidate;
            }
        }

        return current;
    }

    /// <summary>Files whose names mark them as temporary or hidden are never ingested.</summary>
    public static bool IsIgnored(string fileName) =>
        fileName.StartsWith('.') || fileName.StartsWith("~$", StringComparison.Ordinal)
        || fileName.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".partial", StringComparison.OrdinalIgnoreCase);

    public string ToSourcePath(string fullPath) => DocumentIds.NormalizePath(Path.GetRelativePath(Root, fullPath));

    /// <summary>The absolute path of a source path; throws <see cref="ArgumentException"/> when it leaves the folder, written
    /// (<c>..</c>) or through a symbolic link.</summary>
    public string ToFullPath(string sourcePath)
    {
        var full = Path.GetFullPath(Path.Combine(Root, DocumentIds.NormalizePath(sourcePath)));
        // A source path is data from a caller: it must not escape the folder, neither as written nor through a link.
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !IsInside(full))
        {
            throw new ArgumentException($"'{sourcePath}' is outside the drop folder", nameof(sourcePath));
        }

        return full;
    }

    public Task<Stream?> OpenReadAsync(string sourcePath, CancellationToken cancellationToken)
    {
        if (_loaded.Value is { } loaded && loaded.SourcePath == DocumentIds.NormalizePath(sourcePath))
        {
            return Task.FromResult<Stream?>(new MemoryStream(loaded.Bytes, 0, loaded.Bytes.Length, writable: false, publiclyVisible: true));
        }

        // A path that leads outside through a link reads as absent: the run ends "the file no longer exists".
        if (!TryFullPath(sourcePath, out var full))
        {
            return Task.FromResult<Stream?>(null);
        }

        try
        {
            Stream stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
            return Task.FromResult<Stream?>(stream);
        }
        catch (FileNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
        catch (DirectoryNotFoundException)
        {
            return Task.FromResult<Stream?>(null);
        }
    }

    /// <summary>Reads a file whole (null when it is gone). Files above <see cref="MaxLoadBytes"/> are not loaded (returns
    /// <see cref="LoadedFile.TooLarge"/> with the length), so the caller can stream them instead.</summary>
    public LoadedFile? Load(string sourcePath)
    {
        var path = DocumentIds.NormalizePath(sourcePath);
        // A path that leads outside through a link reads as absent, so its document is removed rather than retried.
        if (!TryFullPath(path, out var full))
        {
            return null;
        }

        try
        {
            using var handle = File.OpenHandle(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var length = RandomAccess.GetLength(handle);
            if (length > MaxLoadBytes)
            {
                return new LoadedFile(path, [], TooLarge: true);
            }

            // Synchronous reads: the files are small and usually in the page cache; on Linux an "async" file read is a
            // thread-pool hop per 80 KB buffer, which cost more than the read itself.
            var bytes = new byte[length];
            var total = 0;
            int read;
            while (total < bytes.Length && (read = RandomAccess.Read(handle, bytes.AsSpan(total), total)) > 0)
            {
                total += read;
            }

            return new LoadedFile(path, total == bytes.Length ? bytes : bytes[..total], TooLarge: false);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Until the returned lease is disposed, <see cref="OpenReadAsync"/> in this async flow answers for the file's path
    /// with these bytes instead of reading the file again: the bytes that were hashed are the bytes that get extracted.</summary>
    public IDisposable Pin(LoadedFile file)
    {
        var previous = _loaded.Value;
        _loaded.Value = file;
        return new PinLease(this, previous);
    }

    public Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken) =>
        SaveAsync("", fileName, content, cancellationToken);

    /// <summary>Writes the upload as <c>folder/name</c> (folder from DocumentAccess, e.g. <c>users/alice</c>; empty: top level),
    /// replacing a file of that name.</summary>
    public Task<string> SaveAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken) =>
        WriteAsync(folder, fileName, content, replace: true, cancellationToken);

    /// <summary>Writes the upload as <c>folder/name</c> only when no file of that name exists; otherwise throws
    /// <see cref="DocumentExistsException"/> and leaves the existing file as it was.</summary>
    public Task<string> CreateAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken) =>
        WriteAsync(folder, fileName, content, replace: false, cancellationToken);

    private async Task<string> WriteAsync(string folder, string fileName, Stream content, bool replace, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(folder);
        var safeName = SanitizeFileName(fileName);
        if (IsIgnored(safeName))
        {
            // The watcher treats such names as files still being written and would never pick up later changes.
            throw new Core.Common.ValidationProblemException("file", $"'{safeName}' looks like a temporary file (.tmp, .partial, ~$…); rename it before uploading.");
        }

        var relative = folder.Length == 0 ? safeName : $"{folder.Trim('/')}/{safeName}";
        string target;
        try
        {
            target = ToFullPath(relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            // Checked again now the folders exist: one of them may be a link created meanwhile.
            target = ToFullPath(relative);
        }
        catch (ArgumentException)
        {
            throw new Core.Common.ForbiddenProblemException($"The upload folder '{folder}' leads outside the drop folder (a symbolic link); the upload was refused.");
        }

        // Write beside the target under an ignored name, then rename: the watcher never sees a half-written file.
        var temp = Path.Combine(Root, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            // Without overwrite, File.Move on Linux is renameat2(RENAME_NOREPLACE) or link+unlink, both of which fail when the target
            // exists, so create-if-absent is decided by the file system in one step (dotnet/runtime#33370); a check before the
            // move would race with a concurrent upload of the same name.
            File.Move(temp, target, overwrite: replace);
        }
        catch (IOException) when (!replace && (File.Exists(target) || Directory.Exists(target)))
        {
            throw new DocumentExistsException(ToSourcePath(target));
        }
        finally
        {
            File.Delete(temp);
        }

        return ToSourcePath(target);
    }

    private bool TryFullPath(string sourcePath, out string full)
    {
        try
        {
            full = ToFullPath(sourcePath);
            return true;
        }
        catch (ArgumentException)
        {
            full = "";
            return false;
        }
    }

    /// <summary>Deletes the file. A path that leads outside the folder (through a link) is never touched: the document is
    /// still removed by the caller, the file outside stays.</summary>
    public Task DeleteAsync(string sourcePath, CancellationToken cancellationToken)
    {
        string full;
        try
        {
            full = ToFullPath(sourcePath);
        }
        catch (ArgumentException)
        {
            return Task.CompletedTask;
        }

        File.Delete(full);
        return Task.CompletedTask;
    }

    /// <summary>The upload name rule both hosts share (<see cref="Core.Ingestion.UploadFileNames.Sanitize"/>): last segment only, unsafe
    /// characters replaced, invisible formatting characters refused, shortened to 200 UTF-8 bytes keeping the extension — so an upload gets
    /// the same name, and document id, locally and on Azure.</summary>
    public static string SanitizeFileName(string fileName) => Core.Ingestion.UploadFileNames.Sanitize(fileName);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning,
        Message = "Drop folder: '{SourcePath}' is a link to {Target}, outside the folder; refused (not ingested, never written or deleted through)")]
    private partial void LogLinkRefused(string sourcePath, string target);

    private sealed class PinLease(DropFolder owner, LoadedFile? previous) : IDisposable
    {
        public void Dispose() => owner._loaded.Value = previous;
    }
}

/// <summary>A drop-folder file read into memory (<see cref="DropFolder.Load"/>). The bytes are shared: never modify them.</summary>
public sealed record LoadedFile(string SourcePath, byte[] Bytes, bool TooLarge);
