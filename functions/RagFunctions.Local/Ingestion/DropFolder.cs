using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Local.Ingestion;

/// <summary>The local stand-in for the <c>documents</c> blob container: a folder. Source paths are relative to it.</summary>
public sealed class DropFolder : IDocumentSource
{
    public DropFolder(IOptions<IngestionOptions> options, IOptions<Hosting.LocalHostOptions> host)
    {
        var configured = options.Value.DropFolder;
        Root = Path.GetFullPath(string.IsNullOrWhiteSpace(configured) ? Path.Combine(host.Value.DataDirectory, "documents") : configured);
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

    public async Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken)
    {
        var safeName = SanitizeFileName(fileName);
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

    /// <summary>Keeps the file name only (no folders from the client), without characters that are unsafe in paths.</summary>
    public static string SanitizeFileName(string fileName)
    {
        var name = Path.GetFileName(fileName.Replace('\\', '/').Split('/')[^1]).Trim();
        var invalid = Path.GetInvalidFileNameChars();
        name = new string(name.Select(c => invalid.Contains(c) || char.IsControl(c) ? '_' : c).ToArray()).TrimStart('.');
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new Core.Common.ValidationProblemException("file", "The file name is empty or invalid.");
        }

        return name.Length > 200 ? name[..200] : name;
    }
}
