using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>
/// Retries transient embedding failures — <see cref="RateLimitedProblemException"/> (429), <see cref="UpstreamUnavailableProblemException"/>,
/// <see cref="HttpRequestException"/>, <see cref="TimeoutException"/> (also as an HttpClient timeout) — up to
/// <see cref="EmbeddingOptions.MaxRetries"/> times. The wait is the server's Retry-After when it gave one, else exponential
/// backoff from <see cref="EmbeddingOptions.BaseDelay"/> with jitter (between half and all of <c>BaseDelay · 2^attempt</c>),
/// never more than <see cref="EmbeddingOptions.MaxDelay"/>. Anything else (validation, cancellation) is rethrown at once;
/// after the last retry the last exception is rethrown unchanged.
/// </summary>
public sealed partial class ResilientEmbeddingGenerator : DelegatingEmbeddingGenerator<string, Embedding<float>>
{
    private readonly EmbeddingOptions _options;
    private readonly EmbeddingMetrics _metrics;
    private readonly IRetryDelay _delay;
    private readonly Func<double> _jitter;
    private readonly ILogger _logger;

    /// <param name="jitter">Source of uniform values in [0, 1) for backoff jitter; defaults to <see cref="Random.Shared"/>.</param>
    public ResilientEmbeddingGenerator(
        IEmbeddingGenerator<string, Embedding<float>> innerGenerator,
        IOptions<EmbeddingOptions> options,
        EmbeddingMetrics metrics,
        IRetryDelay delay,
        ILogger<ResilientEmbeddingGenerator>? logger = null,
        Func<double>? jitter = null)
        : base(innerGenerator)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _metrics = metrics ?? throw new ArgumentNullException(nameof(metrics));
        _delay = delay ?? throw new ArgumentNullException(nameof(delay));
        _jitter = jitter ?? Random.Shared.NextDouble;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        // Materialise once: a lazy sequence must not be re-enumerated differently on a retry.
        IReadOnlyList<string> inputs = values as IReadOnlyList<string> ?? [.. values];
        _metrics.BatchSize.Record(inputs.Count);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (attempt < _options.MaxRetries && IsTransient(ex, cancellationToken))
            {
                var delay = DelayFor(ex, attempt);
                _metrics.Retries.Add(1, new KeyValuePair<string, object?>("reason", Reason(ex)));
                Log.Retrying(_logger, attempt + 1, _options.MaxRetries, delay.TotalMilliseconds, Reason(ex), inputs.Count, ex);
                await _delay.DelayAsync(delay, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The wait before retry number <paramref name="attempt"/> + 1.</summary>
    internal TimeSpan DelayFor(Exception exception, int attempt)
    {
        var retryAfter = exception switch
        {
            RateLimitedProblemException r => r.RetryAfter,
            UpstreamUnavailableProblemException u => u.RetryAfter,
            _ => null,
        };

        TimeSpan delay;
        if (retryAfter is { } hint && hint >= TimeSpan.Zero)
        {
            delay = hint;
        }
        else
        {
            var exponential = _options.BaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30));
            delay = TimeSpan.FromMilliseconds(Math.Min(exponential, _options.MaxDelay.TotalMilliseconds) * (0.5 + (0.5 * _jitter())));
        }

        return delay > _options.MaxDelay ? _options.MaxDelay : delay;
    }

    private static bool IsTransient(Exception exception, CancellationToken cancellationToken) => exception switch
    {
        RateLimitedProblemException or UpstreamUnavailableProblemException or HttpRequestException or TimeoutException => true,
        // HttpClient reports its own timeout as a cancellation that nobody asked for.
        TaskCanceledException { InnerException: TimeoutException } => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static string Reason(Exception exception) => exception switch
    {
        RateLimitedProblemException => "rate_limited",
        UpstreamUnavailableProblemException => "unavailable",
        HttpRequestException => "http",
        _ => "timeout",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
            Message = "Embedding call failed ({Reason}); retry {Retry} of {MaxRetries} in {DelayMs} ms for {Inputs} inputs")]
        public static partial void Retrying(ILogger logger, int retry, int maxRetries, double delayMs, string reason, int inputs, Exception exception);
    }
}
