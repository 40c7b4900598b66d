using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Staging;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Ingestion;

/// <summary><see cref="IIngestionStaging"/> on the local disk: <c>{DataDirectory}/staging/{runId}/{name}</c>.</summary>
/// <remarks>A write goes to a temporary file that is then moved over the target, so a reader never sees half an item
/// (an activity retried after a crash may rewrite it). A run's folder is removed when the run ends.</remarks>
public sealed class FolderIngestionStaging(IOptions<LocalHostOptions> options) : IIngestionStaging
{
    public string Root { get; } = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "staging"));

    public async Task PutAsync(string runId, string name, ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        var folder = RunFolder(runId);
        Directory.CreateDirectory(folder);
        var target = Path.Combine(folder, StagingNames.Validate(name, nameof(name)));
        var temporary = target + $".{Guid.NewGuid():N}.tmp";
        await File.WriteAllBytesAsync(temporary, content.ToArray(), cancellationToken);
        File.Move(temporary, target, overwrite: true);
    }

    public async Task<byte[]?> GetAsync(string runId, string name, CancellationToken cancellationToken)
    {
        var path = Path.Combine(RunFolder(runId), StagingNames.Validate(name, nameof(name)));
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    public Task DeleteRunAsync(string runId, CancellationToken cancellationToken)
    {
        var folder = RunFolder(runId);
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Already gone: a retried Complete/Fail.
        }

        return Task.CompletedTask;
    }

    private string RunFolder(string runId) => Path.Combine(Root, StagingNames.Validate(runId, nameof(runId)));
}
