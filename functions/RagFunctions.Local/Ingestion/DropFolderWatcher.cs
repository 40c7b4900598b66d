using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Local.Ingestion;

/// <summary>Bound from <c>RagFunctions:Ingestion</c> too: how the drop folder is watched.</summary>
public sealed class DropFolderWatchOptions
{
    public const string Section = "RagFunctions:Ingestion";

    /// <summary>Full rescans catch what file-system events miss (network shares, editors that replace files).</summary>
    public double ScanIntervalSeconds { get; set; } = 2;

    /// <summary>A file modified more recently than this is assumed to be still being written and is looked at on the next scan.</summary>
    public double SettleMilliseconds { get; set; } = 300;
}

/// <summary>Turns the drop folder into ingestion work: new or changed files are queued, files that disappeared have their
/// documents removed. File-system events trigger an early scan; the periodic scan is the source of truth.</summary>
public sealed partial class DropFolderWatcher(
    DropFolder dropFolder,
    LocalIngestionQueue queue,
    IDocumentCatalog catalog,
    IngestionIntake intake,
    DropFolderStamps stamps,
    IOptions<DropFolderWatchOptions> options,
    TimeProvider time,
    ILogger<DropFolderWatcher> logger) : BackgroundService
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watcher = new FileSystemWatcher(dropFolder.Root) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, _) => Wake();
        watcher.Changed += (_, _) => Wake();
        watcher.Deleted += (_, _) => Wake();
        watcher.Renamed += (_, _) => Wake();
        LogWatching(dropFolder.Root);

        var interval = TimeSpan.FromSeconds(Math.Max(0.1, options.Value.ScanIntervalSeconds));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // A failed scan is retried on the next tick; the host keeps running.
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogScanFailed(ex);
            }

            try
            {
                await _wake.WaitAsync(interval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass: queue new/changed settled files, remove documents whose file is gone.</summary>
    public async Task ScanAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var settle = TimeSpan.FromMilliseconds(options.Value.SettleMilliseconds);
        var present = new HashSet<string>(StringComparer.Ordinal);
        // Links leading outside the folder are left out (and logged once) by the enumeration itself.
        foreach (var file in dropFolder.EnumerateFiles())
        {
            var info = new FileInfo(file);
            if (DropFolder.IsIgnored(info.Name))
            {
                continue;
            }

            var sourcePath = dropFolder.ToSourcePath(file);
            present.Add(sourcePath);
            // Only a time near "now" means "still being written"; one far in the future (skewed clock, archive, touch -d) never
            // settles and would keep the file out forever while the loop rescans without pause.
            if ((now - info.LastWriteTimeUtc).Duration() < settle)
            {
                Wake();
                continue;
            }

            if (stamps.Update(sourcePath, info))
            {
                queue.Enqueue(sourcePath);
            }
        }

        stamps.RetainOnly(present);

        // Documents in the catalog whose file is gone (deleted while the host was down, or just now).
        foreach (var record in await catalog.ListAsync(cancellationToken))
        {
            // Checked again: a file saved after the folder was listed (an upload) has its record already but was not listed.
            if (!present.Contains(record.SourcePath) && !FileExists(record.SourcePath))
            {
                await intake.RemoveAsync(record.Id, cancellationToken);
            }
        }
    }

    private bool FileExists(string sourcePath)
    {
        try
        {
            return File.Exists(dropFolder.ToFullPath(sourcePath));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        _wake.Dispose();
        base.Dispose();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Another event already woke the loop.
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching drop folder {Folder}")]
    private partial void LogWatching(string folder);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Drop folder scan failed; retrying on the next tick")]
    private partial void LogScanFailed(Exception exception);
}
