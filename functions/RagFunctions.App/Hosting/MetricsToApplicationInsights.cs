using System.Diagnostics.Metrics;
using Microsoft.ApplicationInsights;
using Microsoft.ApplicationInsights.Metrics;
using Microsoft.Extensions.Hosting;

namespace RagFunctions.App.Hosting;

/// <summary>
/// Forwards the app's <see cref="System.Diagnostics.Metrics"/> instruments (meters named <c>RagFunctions.*</c>: ingestion
/// stage durations, chunk/token counts, embedding batch sizes and retries) to Application Insights custom metrics.
/// </summary>
/// <remarks>The Application Insights SDK 2.x that the Functions worker integration requires (WorkerService 3.x is
/// incompatible, see Directory.Packages.props) does not collect <c>Meter</c> instruments, so a <see cref="MeterListener"/>
/// feeds <c>TelemetryClient.GetMetric</c>, which pre-aggregates locally and sends one aggregate per series a minute
/// (learn.microsoft.com/azure/azure-monitor/app/get-metric). Tags become metric dimensions.</remarks>
public sealed class MetricsToApplicationInsights(TelemetryClient telemetry) : IHostedService, IDisposable
{
    public const string MeterPrefix = "RagFunctions.";

    private readonly MeterListener _listener = new();

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Track(i, value, tags));
        _listener.SetMeasurementEventCallback<float>((i, value, tags, _) => Track(i, value, tags));
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Track(i, value, tags));
        _listener.SetMeasurementEventCallback<int>((i, value, tags, _) => Track(i, value, tags));
        _listener.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _listener.Dispose();
        return Task.CompletedTask;
    }

    public void Dispose() => _listener.Dispose();

    private void Track(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var names = new string[tags.Length];
        var values = new string[tags.Length];
        for (var i = 0; i < tags.Length; i++)
        {
            names[i] = tags[i].Key;
            values[i] = tags[i].Value?.ToString() ?? "";
        }

        var metric = telemetry.GetMetric(new MetricIdentifier(MetricIdentifier.DefaultMetricNamespace, instrument.Name, names));
        if (metric.TryGetDataSeries(out var series, createIfNotExists: true, values))
        {
            series.TrackValue(value);
        }
    }
}
