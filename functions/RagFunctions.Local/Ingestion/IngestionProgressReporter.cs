using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;

namespace RagFunctions.Local.Ingestion;

/// <summary>Ingestion progress for the operator while work is queued: files done/total, chunks/s, ETA and failures so far — rewritten
/// in place once a second on a terminal, one log line every <see cref="LineInterval"/> otherwise — and one summary line per batch
/// (which also covers a restart where every file is unchanged). Counts come from the queue (files) and the
/// <c>RagFunctions.Ingestion</c> meter (outcomes, chunks), so nothing in the pipeline logs per document for it.</summary>
public sealed partial class IngestionProgressReporter(LocalIngestionQueue queue, ILogger<IngestionProgressReporter> logger) : BackgroundService
{
    private long _indexed;
    private long _failed;
    private long _chunks;

    /// <summary>How often a progress line is logged when the console is not a terminal.</summary>
    public TimeSpan LineInterval { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>True to rewrite one console line in place (an interactive terminal).</summary>
    public bool InPlace { get; init; } = !Console.IsOutputRedirected && !Console.IsErrorRedirected;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "RagFunctions.Ingestion" && instrument.Name is "ragfunctions.ingestion.documents" or "ragfunctions.ingestion.chunks")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>(OnMeasurement);
        listener.Start();

        Batch? batch = null;
        var lastLine = Stopwatch.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var backlog = queue.Backlog;
                if (batch is null && backlog > 0)
                {
                    batch = new Batch(queue.Processed, Interlocked.Read(ref _indexed), Interlocked.Read(ref _failed), Interlocked.Read(ref _chunks), Stopwatch.GetTimestamp());
                    lastLine = Stopwatch.GetTimestamp();
                }

                if (batch is null)
                {
                    continue;
                }

                var now = Snapshot(batch, backlog);
                if (backlog == 0)
                {
                    Finish(now);
                    batch = null;
                    MemoryRelease.AfterIngestionBatch();
                }
                else if (InPlace)
                {
                    Console.Out.Write($"\r{Describe(now)}\u001b[K");
                }
                else if (Stopwatch.GetElapsedTime(lastLine) >= LineInterval)
                {
                    LogProgress(Describe(now));
                    lastLine = Stopwatch.GetTimestamp();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == "ragfunctions.ingestion.chunks")
        {
            Interlocked.Add(ref _chunks, value);
            return;
        }

        foreach (var tag in tags)
        {
            if (tag.Key == "outcome")
            {
                if (Equals(tag.Value, "indexed"))
                {
                    Interlocked.Add(ref _indexed, value);
                }
                else if (Equals(tag.Value, "failed"))
                {
                    Interlocked.Add(ref _failed, value);
                }
            }
        }
    }

    private Progress Snapshot(Batch batch, int backlog)
    {
        var done = queue.Processed - batch.Processed;
        return new Progress(
            done, done + backlog, Interlocked.Read(ref _indexed) - batch.Indexed, Interlocked.Read(ref _failed) - batch.Failed,
            Interlocked.Read(ref _chunks) - batch.Chunks, Stopwatch.GetElapsedTime(batch.Started));
    }

    private void Finish(Progress p)
    {
        if (InPlace)
        {
            Console.Out.Write("\r\u001b[K");
        }

        var unchanged = Math.Max(0, p.Done - p.Indexed - p.Failed);
        LogFinished(p.Done, p.Elapsed.TotalSeconds, p.Indexed, p.Failed, unchanged, p.Chunks, p.ChunksPerSecond);
    }

    internal static string Describe(Progress p)
    {
        var eta = p.Done == 0 || p.Total <= p.Done
            ? "…"
            : Format(TimeSpan.FromSeconds(p.Elapsed.TotalSeconds / p.Done * (p.Total - p.Done)));
        return string.Create(CultureInfo.InvariantCulture,
            $"Ingesting: {p.Done:N0}/{p.Total:N0} files, {p.ChunksPerSecond:N0} chunks/s, ETA {eta}, {p.Failed:N0} failed so far");
    }

    private static string Format(TimeSpan t) => t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} m" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} m {t.Seconds} s" : $"{t.Seconds} s";

    [LoggerMessage(Level = LogLevel.Information, Message = "{Progress}")]
    private partial void LogProgress(string progress);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Ingestion done: {Files} files in {Seconds:F1} s — {Indexed} indexed, {Failed} failed (GET /api/documents?status=failed), {Unchanged} unchanged or removed; {Chunks} chunks, {ChunksPerSecond:F0} chunks/s")]
    private partial void LogFinished(long files, double seconds, long indexed, long failed, long unchanged, long chunks, double chunksPerSecond);

    private sealed record Batch(long Processed, long Indexed, long Failed, long Chunks, long Started);

    internal sealed record Progress(long Done, long Total, long Indexed, long Failed, long Chunks, TimeSpan Elapsed)
    {
        public double ChunksPerSecond => Elapsed.TotalSeconds > 0 ? Chunks / Elapsed.TotalSeconds : 0;
    }
}
