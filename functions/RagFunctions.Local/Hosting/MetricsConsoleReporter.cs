using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace RagFunctions.Local.Hosting;

/// <summary>Locally there is no Azure Monitor: this listens to every <c>RagFunctions.*</c> meter and logs a summary line per
/// instrument (count, sum, max since the last report) whenever something was recorded, so ingestion figures show on the console.</summary>
public sealed partial class MetricsConsoleReporter(ILogger<MetricsConsoleReporter> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, Aggregate> _aggregates = new(StringComparer.Ordinal);

    /// <summary>How often the summary is written.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name.StartsWith("RagFunctions", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Flush();
            }
        }
        catch (OperationCanceledException)
        {
            Flush();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var key = new StringBuilder(instrument.Name);
        foreach (var tag in tags)
        {
            key.Append(CultureInfo.InvariantCulture, $" {tag.Key}={tag.Value}");
        }

        var aggregate = _aggregates.GetOrAdd(key.ToString(), _ => new Aggregate(instrument.Unit));
        lock (aggregate)
        {
            aggregate.Count++;
            aggregate.Sum += value;
            aggregate.Max = Math.Max(aggregate.Max, value);
        }
    }

    private void Flush()
    {
        foreach (var (name, aggregate) in _aggregates)
        {
            long count;
            double sum, max;
            lock (aggregate)
            {
                (count, sum, max) = (aggregate.Count, aggregate.Sum, aggregate.Max);
                aggregate.Count = 0;
                aggregate.Sum = 0;
                aggregate.Max = 0;
            }

            if (count > 0)
            {
                LogMetric(name, count, sum, max, aggregate.Unit ?? "");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "metric {Metric}: count={Count} sum={Sum:F1} max={Max:F1} {Unit}")]
    private partial void LogMetric(string metric, long count, double sum, double max, string unit);

    private sealed class Aggregate(string? unit)
    {
        public string? Unit { get; } = unit;
        public long Count { get; set; }
        public double Sum { get; set; }
        public double Max { get; set; }
    }
}
