using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Local.Ingestion;

/// <summary>The local stand-in for the <c>documents</c> blob container: a folder. Source paths are relative to it.</summary>
public sealed class DropFolder : IDocumentSource
{
    /// <summary>Files up to this size are read once into memory for hashing and extraction (extraction holds them whole anyway).</summary>
    public const long MaxLoadBytes = 256L * 1024 * 1024;

    // Flow-scoped (set by the ingestion of one file, seen by its activities), so parallel ingestions never see each other's bytes.
    private readonly AsyncLocal<LoadedFile?> _loaded = new();

    public DropFolder(IOptions<IngestionOptions> options, IOptions<Hosting.LocalHostOptions> host)
    {
        var configured = options.Value.DropFolder;
        // Without a trailing separator: ToFullPath appends one when it checks that a path stays inside the folder.
        Root = Path.TrimEndingDirectorySeparator(Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(host.Value.DataDirectory, "documents") : configured));
        Directory.CreateDirectory(Root);
    }

    /// <summary>Absolute path of the folder.</summary>
    public string Root { get; }

    /// <summary>Files whose names mark them as temporary or hidden are never ingested.</summary>
    public static bool IsIgnored(string fileName) =>
        fileName.StartsWith('.') || fileName.StartsWith("~$", StringComparison.Ordinal)
        || fileName.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".partial", StringComparison.OrdinalIgnoreCase);

    public string ToSourcePath(string fullPath) => DocumentIds.NormalizePath(Path.GetRelativePath(Root, fullPath));

    public string ToFullPath(string sourcePath)
    {
        var full = Path.GetFullPath(Path.Combine(Root, DocumentIds.NormalizePath(sourcePath)));
        // A source path is data from a caller: it must not escape the folder.
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
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

        var full = ToFullPath(sourcePath);
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
        var full = ToFullPath(path);
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

    public async Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        var safeName = SanitizeFileName(fileName);
        if (IsIgnored(safeName))
        {
            // The watcher treats such names as files still being written and would never pick up later changes.
            throw new Core.Common.ValidationProblemException("file", $"'{safeName}' looks like a temporary file (.tmp, .partial, ~$…); rename it before uploading.");
        }

        var target = ToFullPath(safeName);
        // Write beside the target under an ignored name, then rename: the watcher never sees a half-written file.
        var temp = Path.Combine(Root, $".upload-{Guid.NewGuid():N}.tmp");
        try
        {
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 81920, useAsync: true))
            {
                await content.CopyToAsync(file, cancellationToken);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }

        return ToSourcePath(target);
    }

    public Task DeleteAsync(string sourcePath, CancellationToken cancellationToken)
    {
        File.Delete(ToFullPath(sourcePath));
        return Task.CompletedTask;
    }

    /// <summary>The upload name rule both hosts share (<see cref="Core.Ingestion.UploadFileNames.Sanitize"/>): last segment only, unsafe
    /// characters replaced, invisible formatting characters refused, shortened to 200 UTF-8 bytes keeping the extension — so an upload gets
    /// the same name, and document id, locally and on Azure.</summary>
    public static string SanitizeFileName(string fileName) => Core.Ingestion.UploadFileNames.Sanitize(fileName);

    private sealed class PinLease(DropFolder owner, LoadedFile? previous) : IDisposable
    {
        public void Dispose() => owner._loaded.Value = previous;
    }
}

/// <summary>A drop-folder file read into memory (<see cref="DropFolder.Load"/>). The bytes are shared: never modify them.</summary>
public sealed record LoadedFile(string SourcePath, byte[] Bytes, bool TooLarge);
