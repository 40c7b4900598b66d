using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Local.Assessment;

/// <summary>What one scan of the folder inbox did (file names).</summary>
public sealed record InboxScanResult(IReadOnlyList<string> Processed, IReadOnlyList<string> DeadLettered, IReadOnlyList<string> Retrying, IReadOnlyList<string> Waiting);

/// <summary>Local stand-in for the Service Bus queue: <c>*.json</c> files dropped in the inbox folder go through the same
/// <see cref="AssessmentMessageProcessor"/> decisions as the Functions trigger. Complete → <c>processed/</c>; dead-letter →
/// <c>deadletter/</c> plus <c>&lt;name&gt;.reason.txt</c>; retry → left in place and retried with exponential back-off.
/// Files still being written (size or time changing, or locked) are left alone until they settle; writers that write a temp name and
/// rename to <c>.json</c> are picked up atomically.</summary>
public sealed class AssessmentFolderInbox(
    AssessmentMessageProcessor processor,
    AssessmentInboxFolders folders,
    AssessmentInboxSettings settings,
    TimeProvider clock,
    ILogger<AssessmentFolderInbox> logger) : BackgroundService
{
    private readonly Dictionary<string, FileState> _files = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _scanLock = new(1, 1);

    /// <summary>One pass over the inbox; the background loop calls it every <see cref="AssessmentInboxSettings.PollInterval"/>.</summary>
    public async Task<InboxScanResult> ScanOnceAsync(CancellationToken cancellationToken)
    {
        List<string> processed = [], deadLettered = [], retrying = [], waiting = [];
        await _scanLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            folders.EnsureCreated();
            var present = new HashSet<string>(StringComparer.Ordinal);
            var candidates = new DirectoryInfo(folders.Inbox).EnumerateFiles("*.json", SearchOption.TopDirectoryOnly)
                .Where(f => !f.Name.StartsWith('.'))
                .OrderBy(f => f.LastWriteTimeUtc)
                .ThenBy(f => f.Name, StringComparer.Ordinal)
                .ToList();
            foreach (var file in candidates)
            {
                cancellationToken.ThrowIfCancellationRequested();
                present.Add(file.FullName);
                FileOutcome outcome;
                try
                {
                    outcome = await HandleFileAsync(file, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // One unexpected failure (a file we may not move, a reason file we cannot write) must not stop every
                    // later file of every scan: this file backs off like a transient failure and the scan goes on.
                    outcome = DeferAfterFailure(file, ex);
                }

                (outcome switch
                {
                    FileOutcome.Processed => processed,
                    FileOutcome.DeadLettered => deadLettered,
                    FileOutcome.Retrying => retrying,
                    _ => waiting,
                }).Add(file.Name);
            }

            foreach (var gone in _files.Keys.Where(k => !present.Contains(k)).ToList())
            {
                _files.Remove(gone);
            }
        }
        finally
        {
            _scanLock.Release();
        }

        return new InboxScanResult(processed, deadLettered, retrying, waiting);
    }

    public override void Dispose()
    {
        _scanLock.Dispose();
        base.Dispose();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        logger.LogInformation("Assessment folder inbox watching {Folder}", folders.Inbox);
        using var timer = new PeriodicTimer(settings.PollInterval, clock);
        do
        {
            try
            {
                await ScanOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A scan failure (folder briefly unavailable) must not stop the inbox; files stay where they are.
                logger.LogError(ex, "Assessment folder inbox scan failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task<FileOutcome> HandleFileAsync(FileInfo file, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        file.Refresh();
        if (!file.Exists)
        {
            return FileOutcome.Waiting;
        }

        var observed = (file.Length, file.LastWriteTimeUtc);
        if (!_files.TryGetValue(file.FullName, out var state) || state.Observed != observed)
        {
            var settled = now - new DateTimeOffset(file.LastWriteTimeUtc, TimeSpan.Zero) >= settings.QuietPeriod;
            _files[file.FullName] = state = new FileState(observed, state?.Attempts ?? 0, state?.NotBefore ?? DateTimeOffset.MinValue);
            if (!settled)
            {
                return FileOutcome.Waiting;
            }
        }

        if (state.NotBefore > now)
        {
            return FileOutcome.Waiting;
        }

        var body = ReadExclusively(file);
        if (body is null)
        {
            return FileOutcome.Waiting;
        }

        var decision = await processor.ProcessAsync(body, file.Name, cancellationToken).ConfigureAwait(false);
        switch (decision)
        {
            case ProcessingDecision.Complete:
                Settle(file, folders.Processed);
                return FileOutcome.Processed;
            case ProcessingDecision.DeadLetter deadLetter:
                if (Settle(file, folders.DeadLetter) is { } target)
                {
                    await AssessmentInboxFolders.WriteReasonAsync(target, deadLetter, cancellationToken).ConfigureAwait(false);
                }

                return FileOutcome.DeadLettered;
            case ProcessingDecision.Retry retry:
                var attempts = state.Attempts + 1;
                var delay = Backoff(attempts, retry.RetryAfter);
                _files[file.FullName] = state with { Attempts = attempts, NotBefore = now + delay };
                logger.LogWarning(retry.Exception, "Assessment event file {File} failed transiently (attempt {Attempt}); retrying in {Delay}", file.Name, attempts, delay);
                return FileOutcome.Retrying;
            default:
                throw new InvalidOperationException($"Unknown decision {decision.GetType().Name}.");
        }
    }

    private FileOutcome DeferAfterFailure(FileInfo file, Exception exception)
    {
        var now = clock.GetUtcNow();
        var previous = _files.TryGetValue(file.FullName, out var state) ? state : new FileState((file.Length, file.LastWriteTimeUtc), 0, DateTimeOffset.MinValue);
        var attempts = previous.Attempts + 1;
        var delay = Backoff(attempts, null);
        _files[file.FullName] = previous with { Attempts = attempts, NotBefore = now + delay };
        logger.LogError(exception, "Assessment event file {File} could not be handled (attempt {Attempt}); retrying in {Delay}", file.Name, attempts, delay);
        return FileOutcome.Retrying;
    }

    private string? Settle(FileInfo file, string folder)
    {
        try
        {
            var target = AssessmentInboxFolders.MoveInto(file.FullName, folder);
            _files.Remove(file.FullName);
            logger.LogInformation("Assessment event file {File} moved to {Target}", file.Name, target);
            return target;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Handling is idempotent, so leaving the file for the next scan is safe.
            logger.LogError(ex, "Could not move assessment event file {File}; it will be handled again", file.Name);
            return null;
        }
    }

    /// <summary>The whole file, or null while another process holds it open for writing.</summary>
    private byte[]? ReadExclusively(FileInfo file)
    {
        try
        {
            using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.None);
            var length = (int)Math.Min(stream.Length, AssessmentEventParser.MaxEventBytes + 1L);
            var buffer = new byte[length];
            stream.ReadExactly(buffer);
            return buffer;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            logger.LogDebug(ex, "Assessment event file {File} is busy; will look again", file.Name);
            return null;
        }
    }

    private TimeSpan Backoff(int attempts, TimeSpan? hint)
    {
        var exponential = settings.RetryBaseDelay * Math.Pow(2, Math.Min(attempts - 1, 20));
        var delay = exponential > settings.MaxRetryDelay ? settings.MaxRetryDelay : exponential;
        return hint is { } h && h > delay ? h : delay;
    }

    private enum FileOutcome
    {
        Waiting,
        Processed,
        DeadLettered,
        Retrying,
    }

    private sealed record FileState((long Length, DateTime LastWrite) Observed, int Attempts, DateTimeOffset NotBefore);
}
