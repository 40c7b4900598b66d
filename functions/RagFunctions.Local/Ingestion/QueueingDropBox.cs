using System.Security.Cryptography;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;

namespace RagFunctions.Local.Ingestion;

/// <summary>Uploads land in the drop folder and are queued at once (the watcher would find them too, a moment later),
/// so the document is listed as <c>queued</c> by the time the upload answers.</summary>
public sealed class QueueingDropBox(DropFolder dropFolder, IngestionIntake intake, LocalIngestionQueue queue, DropFolderStamps stamps) : IDocumentDropBox
{
    public Task<string> SaveAsync(string fileName, Stream content, CancellationToken cancellationToken) =>
        SaveAsync("", fileName, content, cancellationToken);

    public async Task<string> SaveAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken) =>
        await QueueAsync(await dropFolder.SaveAsync(folder, fileName, content, cancellationToken), cancellationToken);

    public async Task<string> CreateAsync(string folder, string fileName, Stream content, CancellationToken cancellationToken) =>
        await QueueAsync(await dropFolder.CreateAsync(folder, fileName, content, cancellationToken), cancellationToken);

    private async Task<string> QueueAsync(string sourcePath, CancellationToken cancellationToken)
    {
        if (dropFolder.Load(sourcePath) is { TooLarge: false } file)
        {
            await intake.AcceptAsync(sourcePath, Convert.ToHexStringLower(SHA256.HashData(file.Bytes)), file.Bytes.Length, cancellationToken);
        }
        else
        {
            await using var stream = await dropFolder.OpenReadAsync(sourcePath, cancellationToken);
            if (stream is not null)
            {
                var (hash, length) = await ContentHasher.ComputeAsync(stream, cancellationToken);
                await intake.AcceptAsync(sourcePath, hash, length, cancellationToken);
            }
        }

        // Known to the folder watcher from here on, so its next scan does not queue the same write again.
        stamps.Update(sourcePath, new FileInfo(dropFolder.ToFullPath(sourcePath)));
        queue.Enqueue(sourcePath);
        return sourcePath;
    }

    public async Task DeleteAsync(string sourcePath, CancellationToken cancellationToken)
    {
        // A run still extracting this file would otherwise keep a worker busy (or spinning) after the document is gone.
        queue.Cancel(sourcePath);
        await dropFolder.DeleteAsync(sourcePath, cancellationToken);
    }
}
