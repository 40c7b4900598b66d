using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion.Embedding;

namespace RagFunctions.Core.Tests.Ingestion.Embedding;

public sealed class ResilientEmbeddingGeneratorTests : IDisposable
{
    private readonly EmbeddingMetrics _metrics = new();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, long Value)> _measurements = [];

    public ResilientEmbeddingGeneratorTests()
    {
        // Listen to this test's own meter instance only, so parallel tests cannot interfere.
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, _metrics.Meter))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, _, _) => { lock (_measurements) { _measurements.Add((i.Name, v)); } });
        _listener.SetMeasurementEventCallback<int>((i, v, _, _) => { lock (_measurements) { _measurements.Add((i.Name, v)); } });
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _metrics.Meter.Dispose();
    }

    /// <summary>Fails with the queued exceptions in order, then succeeds.</summary>
    private sealed class ScriptedGenerator(params Exception[] failures) : IEmbeddingGenerator<string, Embedding<float>>
    {
        private readonly Queue<Exception> _failures = new(failures);

        public int Calls { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Calls++;
            if (_failures.TryDequeue(out var failure))
            {
                throw failure;
            }

            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[] { 1f }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }

    private sealed class RecordingDelay : IRetryDelay
    {
        public List<TimeSpan> Delays { get; } = [];

        public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            Delays.Add(delay);
            return Task.CompletedTask;
        }
    }

    private static readonly EmbeddingOptions DefaultOptions = new()
    {
        MaxRetries = 3,
        BaseDelay = TimeSpan.FromMilliseconds(500),
        MaxDelay = TimeSpan.FromSeconds(60),
    };

    private ResilientEmbeddingGenerator Create(IEmbeddingGenerator<string, Embedding<float>> inner, RecordingDelay delay, double jitter = 0.5, EmbeddingOptions? options = null) =>
        new(inner, Options.Create(options ?? DefaultOptions), _metrics, delay, jitter: () => jitter);

    [Fact]
    public async Task Honours_retry_after_from_a_rate_limit()
    {
        var inner = new ScriptedGenerator(new RateLimitedProblemException("429", TimeSpan.FromSeconds(7)));
        var delay = new RecordingDelay();

        var result = await Create(inner, delay).GenerateAsync(["a", "b"]);

        Assert.Equal(2, result.Count);
        Assert.Equal(2, inner.Calls);
        Assert.Equal([TimeSpan.FromSeconds(7)], delay.Delays);
    }

    [Fact]
    public async Task Caps_retry_after_at_max_delay()
    {
        var inner = new ScriptedGenerator(new RateLimitedProblemException("429", TimeSpan.FromMinutes(10)));
        var delay = new RecordingDelay();

        await Create(inner, delay).GenerateAsync(["a"]);

        Assert.Equal([TimeSpan.FromSeconds(60)], delay.Delays);
    }

    [Fact]
    public async Task Backs_off_exponentially_with_jitter_when_no_hint_is_given()
    {
        var inner = new ScriptedGenerator(new HttpRequestException("reset"), new TimeoutException(), new UpstreamUnavailableProblemException("503"));
        var delay = new RecordingDelay();

        await Create(inner, delay, jitter: 0.0).GenerateAsync(["a"]);

        // With the jitter source at 0 each wait is half of BaseDelay·2^attempt.
        Assert.Equal([TimeSpan.FromMilliseconds(250), TimeSpan.FromMilliseconds(500), TimeSpan.FromMilliseconds(1000)], delay.Delays);
    }

    [Fact]
    public async Task Jittered_backoff_never_exceeds_the_exponential_ceiling_or_max_delay()
    {
        var options = new EmbeddingOptions { MaxRetries = 10, BaseDelay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(20) };
        var failures = Enumerable.Range(0, 10).Select(_ => (Exception)new HttpRequestException("x")).ToArray();
        var delay = new RecordingDelay();

        await Create(new ScriptedGenerator(failures), delay, jitter: 0.999, options: options).GenerateAsync(["a"]);

        for (var attempt = 0; attempt < delay.Delays.Count; attempt++)
        {
            var ceiling = Math.Min(Math.Pow(2, attempt), 20);
            Assert.InRange(delay.Delays[attempt].TotalSeconds, ceiling / 2, ceiling);
        }
    }

    [Fact]
    public async Task Gives_up_after_max_retries_with_the_last_exception()
    {
        var failures = Enumerable.Range(1, 10).Select(i => (Exception)new UpstreamUnavailableProblemException($"failure {i}")).ToArray();
        var inner = new ScriptedGenerator(failures);
        var delay = new RecordingDelay();

        var thrown = await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => Create(inner, delay).GenerateAsync(["a"]));

        Assert.Equal("failure 4", thrown.Message);
        Assert.Equal(4, inner.Calls);
        Assert.Equal(3, delay.Delays.Count);
        Assert.Equal(3, _measurements.Where(m => m.Instrument == EmbeddingMetrics.RetriesInstrument).Sum(m => m.Value));
    }

    [Fact]
    public async Task Does_not_retry_validation_errors()
    {
        var inner = new ScriptedGenerator(new ValidationProblemException("input", "too long"));
        var delay = new RecordingDelay();

        await Assert.ThrowsAsync<ValidationProblemException>(() => Create(inner, delay).GenerateAsync(["a"]));

        Assert.Equal(1, inner.Calls);
        Assert.Empty(delay.Delays);
        Assert.DoesNotContain(_measurements, m => m.Instrument == EmbeddingMetrics.RetriesInstrument);
    }

    [Fact]
    public async Task Does_not_retry_when_the_caller_cancels()
    {
        using var cancellation = new CancellationTokenSource();
        await cancellation.CancelAsync();
        var inner = new ScriptedGenerator(new OperationCanceledException(cancellation.Token));
        var delay = new RecordingDelay();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Create(inner, delay).GenerateAsync(["a"], null, cancellation.Token));

        Assert.Equal(1, inner.Calls);
    }

    [Fact]
    public async Task Records_batch_size_and_retries()
    {
        var inner = new ScriptedGenerator(new RateLimitedProblemException("429", TimeSpan.FromSeconds(1)));

        await Create(inner, new RecordingDelay()).GenerateAsync(["a", "b", "c"]);

        Assert.Contains((EmbeddingMetrics.BatchSizeInstrument, 3L), _measurements);
        Assert.Contains((EmbeddingMetrics.RetriesInstrument, 1L), _measurements);
        Assert.Equal("RagFunctions.Ingestion", _metrics.Meter.Name);
    }

    [Fact]
    public async Task Default_delay_waits_on_the_injected_time_provider()
    {
        var time = new ManualTimeProvider();
        var wait = new TimeProviderRetryDelay(time).DelayAsync(TimeSpan.FromSeconds(30), CancellationToken.None);

        Assert.False(wait.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(31));
        await wait.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.True(wait.IsCompletedSuccessfully);
    }
}
