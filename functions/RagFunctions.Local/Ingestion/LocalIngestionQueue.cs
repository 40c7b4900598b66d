using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Threading.Channels;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.Local.Ingestion;

/// <summary>The local stand-in for the blob trigger + Durable: source paths queue here and workers run the same
/// <see cref="IngestionWorkflow"/> with the in-process runner. A path queued twice before it runs is ingested once.</summary>
public sealed partial class LocalIngestionQueue(
    DropFolder dropFolder,
    IngestionIntake intake,
    IServiceProvider services,
    IOptions<IngestionOptions> options,
    Storage.StorageFaults storageFaults,
    ILogger<LocalIngestionQueue> logger) : BackgroundService
{
    private readonly Channel<string> _queue = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = false });
    private readonly ConcurrentDictionary<string, byte> _pending = new(StringComparer.Ordinal);
    private int _inFlight;

    // Paths being ingested now, and those queued again meanwhile: one path never runs twice at once (an older version
    // finishing last would overwrite the newer one), so a repeat waits and runs once the current run is done.
    private readonly HashSet<string> _running = new(StringComparer.Ordinal);
    private readonly HashSet<string> _rerun = new(StringComparer.Ordinal);
    private readonly Lock _runningGate = new();

    // A run that failed before the workflow could record anything (e.g. the database was busy) is retried with back-off:
    // the watcher has already seen the file, so nothing else would queue it again until it changes.
    private readonly ConcurrentDictionary<string, int> _failures = new(StringComparer.Ordinal);

    // The cancellation of each running path, so deleting a document stops its extraction instead of letting it spin on.
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _runs = new(StringComparer.Ordinal);

    /// <summary>Attempts after the first for a run that failed unexpectedly; the delay doubles from <see cref="RetryBaseDelay"/>.</summary>
    public int MaxRetries { get; init; } = 5;

    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    private long _processed;

    /// <summary>Paths queued or running now.</summary>
    public int Backlog => _pending.Count + Volatile.Read(ref _inFlight);

    /// <summary>Paths this queue has finished (any outcome) since start; the progress line counts with it.</summary>
    public long Processed => Interlocked.Read(ref _processed);

    /// <summary>True when nothing is queued or running.</summary>
    public bool IsIdle => _pending.IsEmpty && Volatile.Read(ref _inFlight) == 0;

    /// <summary>Queues a source path for ingestion (or removal, if the file is gone when its turn comes).</summary>
    public void Enqueue(string sourcePath)
    {
        if (_pending.TryAdd(sourcePath, 0))
        {
            _queue.Writer.TryWrite(sourcePath);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var workers = Enumerable.Range(0, Math.Max(1, options.Value.MaxParallelDocuments))
            .Select(_ => Task.Run(() => WorkAsync(stoppingToken), stoppingToken));
        return Task.WhenAll(workers);
    }

    private async Task WorkAsync(CancellationToken stoppingToken)
    {
        try
        {
            await foreach (var sourcePath in _queue.Reader.ReadAllAsync(stoppingToken))
            {
                Interlocked.Increment(ref _inFlight);
                _pending.TryRemove(sourcePath, out _);
                lock (_runningGate)
                {
                    if (!_running.Add(sourcePath))
                    {
                        _rerun.Add(sourcePath);
                        Interlocked.Decrement(ref _inFlight);
                        continue;
                    }
                }

                using var run = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                _runs[sourcePath] = run;
                try
                {
                    await ProcessAsync(sourcePath, run.Token);
                    _failures.TryRemove(sourcePath, out _);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (OperationCanceledException) when (run.IsCancellationRequested)
                {
                    LogCancelled(sourcePath);
                    _failures.TryRemove(sourcePath, out _);
                }
#pragma warning disable CA1031 // One bad file must never stop the host; the workflow already recorded what it could.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    if (Storage.StorageFaults.CauseOf(ex) is { } cause)
                    {
                        // One log line per cause, not one stack trace per file of the start-up rescan.
                        storageFaults.Report(cause, ex);
                    }
                    else
                    {
                        LogUnexpected(ex, sourcePath);
                    }

                    ScheduleRetry(sourcePath, stoppingToken);
                }
                finally
                {
                    _runs.TryRemove(sourcePath, out _);
                    bool again;
                    lock (_runningGate)
                    {
                        _running.Remove(sourcePath);
                        again = _rerun.Remove(sourcePath);
                    }

                    // Queued before the decrement, so the queue never looks idle in between.
                    if (again)
                    {
                        Enqueue(sourcePath);
                    }

                    Interlocked.Increment(ref _processed);
                    Interlocked.Decrement(ref _inFlight);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Cancels the run of this path, if one is in progress (its document was deleted).</summary>
    public void Cancel(string sourcePath)
    {
        if (_runs.TryGetValue(sourcePath, out var run))
        {
            try
            {
                run.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // The run finished meanwhile.
            }
        }
    }

    private void ScheduleRetry(string sourcePath, CancellationToken stoppingToken)
    {
        var attempt = _failures.AddOrUpdate(sourcePath, 1, (_, n) => n + 1);
        if (attempt > MaxRetries)
        {
            _failures.TryRemove(sourcePath, out _);
            LogGaveUp(sourcePath, attempt - 1);
            return;
        }

        var delay = RetryBaseDelay * Math.Pow(2, attempt - 1);
        _ = Task.Delay(delay, stoppingToken).ContinueWith(
            t =>
            {
                if (!t.IsCanceled)
                {
                    Enqueue(sourcePath);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Ingests one file now (also used by the benchmark); returns null when the file was gone and its document removed.</summary>
    public async Task<IngestionOutcome?> ProcessAsync(string sourcePath, CancellationToken cancellationToken)
    {
        // The file is read once: hashed here, and the same bytes are what the extract activity reads (see DropFolder.Pin).
        var file = dropFolder.Load(sourcePath);
        if (file is null)
        {
            await intake.RemoveBySourcePathAsync(sourcePath, cancellationToken);
            return null;
        }

        string hash;
        long length;
        if (file.TooLarge)
        {
            await using var stream = await dropFolder.OpenReadAsync(sourcePath, cancellationToken);
            if (stream is null)
            {
                await intake.RemoveBySourcePathAsync(sourcePath, cancellationToken);
                return null;
            }

            (hash, length) = await ContentHasher.ComputeAsync(stream, cancellationToken);
        }
        else
        {
            hash = Convert.ToHexStringLower(SHA256.HashData(file.Bytes));
            length = file.Bytes.Length;
        }

        var request = await intake.AcceptAsync(sourcePath, hash, length, cancellationToken);
        if (request is null)
        {
            return new IngestionOutcome(Core.Ingestion.Catalog.DocumentIds.FromSourcePath(sourcePath), IngestionOutcomeKind.Skipped, 0, null);
        }

        var activities = services.GetRequiredService<IngestionActivities>();
        using var pin = file.TooLarge ? null : dropFolder.Pin(file);
        using var context = new InProcessWorkflowContext(activities, options.Value.MaxParallelEmbeddingBatches, cancellationToken);
        return await IngestionWorkflow.RunAsync(context, request);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Ingestion of {SourcePath} gave up after {Retries} retries; it runs again when the file changes or the host restarts")]
    private partial void LogGaveUp(string sourcePath, int retries);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion of {SourcePath} cancelled: the document was deleted")]
    private partial void LogCancelled(string sourcePath);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure while ingesting {SourcePath}")]
    private partial void LogUnexpected(Exception exception, string sourcePath);
}
