using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Chat;

/// <summary>One model of the chain.</summary>
public sealed record ChainModel(string Name, IChatClient Client, TimeSpan Timeout)
{
    /// <summary>The first configured model (<see cref="ChatPipelineOptions.Models"/>) with <paramref name="timeoutSeconds"/> (at
    /// least 1 s), for the side calls that ask one model only (title, query rewrite, triage); null when no model is configured or
    /// no factory (no LLM endpoint) is registered.</summary>
    public static ChainModel? FirstConfigured(ChatPipelineOptions options, IChatClientFactory? factory, int timeoutSeconds)
    {
        ArgumentNullException.ThrowIfNull(options);
        var first = options.Models.FirstOrDefault(m => !string.IsNullOrWhiteSpace(m.Name));
        return first is null || factory is null
            ? null
            : new ChainModel(first.Name, factory.Create(first.Name), TimeSpan.FromSeconds(Math.Max(1, timeoutSeconds)));
    }
}

/// <summary>Step 7: tries the configured models in order, each under its own timeout; a failure or timeout moves to the next.
/// Which model answered (and every attempt) is reported. When all fail: <see cref="UpstreamUnavailableProblemException"/>.
/// Streaming falls back only before the first piece of text: once a model has started answering, a failure is an interruption, not a retry
/// (the caller already showed its text).</summary>
public sealed class ModelFallbackChain
{
    private readonly IReadOnlyList<ChainModel> _models;
    private readonly ILogger<ModelFallbackChain> _logger;
    private readonly ModelHealthRegistry? _health;

    public ModelFallbackChain(IReadOnlyList<ChainModel> models, ILogger<ModelFallbackChain> logger, ModelHealthRegistry? health = null)
    {
        if (models.Count == 0)
        {
            throw new ArgumentException("The fallback chain needs at least one model.", nameof(models));
        }

        _models = models;
        _logger = logger;
        _health = health;
    }

    /// <summary>The chain from configuration: the configured models through <see cref="IChatClientFactory"/>, or the extractive answerer
    /// when no model (or no factory, i.e. no LLM endpoint) is configured.</summary>
    public static ModelFallbackChain FromOptions(
        IOptions<ChatPipelineOptions> options, IChatClientFactory? factory, ExtractiveAnswerer extractive, ILogger<ModelFallbackChain> logger, ModelHealthRegistry? health = null)
    {
        var configured = options.Value.Models.Where(m => !string.IsNullOrWhiteSpace(m.Name)).ToList();
        if (configured.Count > 0 && factory is null)
        {
            logger.LogWarning("{Count} chat models are configured but no chat client factory is registered (no LLM endpoint); using the extractive answerer", configured.Count);
        }

        IReadOnlyList<ChainModel> models = configured.Count == 0 || factory is null
            ? [new ChainModel(ExtractiveAnswerer.ModelName, extractive, TimeSpan.FromSeconds(30))]
            : [.. configured.Select(m => new ChainModel(m.Name, factory.Create(m.Name), TimeSpan.FromSeconds(Math.Max(1, m.TimeoutSeconds))))];
        return new ModelFallbackChain(models, logger, health);
    }

    public IReadOnlyList<string> ModelNames => [.. _models.Select(m => m.Name)];

    public async Task<ModelAnswer> GetResponseAsync(IReadOnlyList<ChatMessage> messages, CancellationToken cancellationToken)
    {
        var attempts = new List<ModelAttempt>();
        Exception? last = null;
        foreach (var model in _models)
        {
            var clock = Stopwatch.StartNew();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(model.Timeout);
            try
            {
                var response = await model.Client.GetResponseAsync(messages, Options(model), timeout.Token).ConfigureAwait(false);
                attempts.Add(new ModelAttempt(model.Name, "answered", clock.Elapsed.TotalMilliseconds));
                _health?.Succeeded(model.Name);
                return new ModelAnswer(model.Name, response.Text, response.Usage, attempts);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex;
                attempts.Add(Failed(model, clock, ex, timeout.IsCancellationRequested));
            }
        }

        throw AllFailed(attempts, last);
    }

    /// <summary>Streams the first model that starts answering. <paramref name="attempts"/> collects every try (for diagnostics).</summary>
    public async IAsyncEnumerable<ModelStreamItem> StreamAsync(
        IReadOnlyList<ChatMessage> messages, List<ModelAttempt> attempts, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Exception? last = null;
        foreach (var model in _models)
        {
            var clock = Stopwatch.StartNew();
            using var firstToken = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            firstToken.CancelAfter(model.Timeout);
            IAsyncEnumerator<ChatResponseUpdate>? updates = null;
            ChatResponseUpdate? first = null;
            try
            {
                updates = model.Client.GetStreamingResponseAsync(messages, Options(model), firstToken.Token).GetAsyncEnumerator(firstToken.Token);
                if (await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    first = updates.Current;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                last = ex;
                attempts.Add(Failed(model, clock, ex, firstToken.IsCancellationRequested));
                if (updates is not null)
                {
                    await DisposeQuietlyAsync(updates).ConfigureAwait(false);
                }

                continue;
            }

            // The timeout guarded the first token only; from here the caller's token governs (long answers stream legitimately long).
            firstToken.CancelAfter(Timeout.InfiniteTimeSpan);
            var attemptIndex = attempts.Count;
            attempts.Add(new ModelAttempt(model.Name, "answered", clock.Elapsed.TotalMilliseconds));
            _health?.Succeeded(model.Name);
            try
            {
                var current = first;
                while (current is not null)
                {
                    yield return new ModelStreamItem(model.Name, current.Text, UsageOf(current));
                    current = await NextOrInterruptedAsync(updates!, model, clock, attempts, attemptIndex, _health).ConfigureAwait(false);
                }
            }
            finally
            {
                await DisposeQuietlyAsync(updates!).ConfigureAwait(false);
            }

            yield break;
        }

        throw AllFailed(attempts, last);
    }

    private static async Task<ChatResponseUpdate?> NextOrInterruptedAsync(
        IAsyncEnumerator<ChatResponseUpdate> updates, ChainModel model, Stopwatch clock, List<ModelAttempt> attempts, int attemptIndex, ModelHealthRegistry? health)
    {
        try
        {
            return await updates.MoveNextAsync().ConfigureAwait(false) ? updates.Current : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            var cause = ModelFailureCause.Classify(ex);
            health?.Failed(model.Name, cause);
            attempts[attemptIndex] = new ModelAttempt(model.Name, "interrupted", clock.Elapsed.TotalMilliseconds, cause.ToString());
            throw new UpstreamUnavailableProblemException($"Model '{model.Name}' failed while answering ({cause}).", ex);
        }
    }

    private static UsageDetails? UsageOf(ChatResponseUpdate update) =>
        update.Contents.OfType<UsageContent>().Select(u => u.Details).LastOrDefault();

    private static ChatOptions Options(ChainModel model) => new() { ModelId = model.Name };

    /// <summary>One line per failed call with its cause class (no stack trace: that is at Debug); the attempt carries the cause, never
    /// the exception message, which can hold endpoint details.</summary>
    private ModelAttempt Failed(ChainModel model, Stopwatch clock, Exception ex, bool timedOut)
    {
        var outcome = timedOut ? "timeout" : "failed";
        var cause = timedOut ? ModelFailureCause.Timeout(model.Timeout) : ModelFailureCause.Classify(ex);
        _health?.Failed(model.Name, cause);
        _logger.LogWarning("Chat model {Model} {Outcome} after {ElapsedMs:F0} ms: {Cause}", model.Name, outcome, clock.Elapsed.TotalMilliseconds, cause.ToString());
        _logger.LogDebug(ex, "Chat model {Model} failure detail", model.Name);
        return new ModelAttempt(model.Name, outcome, clock.Elapsed.TotalMilliseconds, cause.ToString());
    }

    private static UpstreamUnavailableProblemException AllFailed(IReadOnlyList<ModelAttempt> attempts, Exception? last)
    {
        var retryAfter = last is RateLimitedProblemException r ? r.RetryAfter : null;
        return new UpstreamUnavailableProblemException(
            $"Every configured model failed ({string.Join("; ", attempts.Select(a => a.Error is { } cause ? $"{a.Model}: {a.Outcome} ({cause})" : $"{a.Model}: {a.Outcome}"))}). Your message was saved; try again later.",
            last,
            retryAfter);
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ChatResponseUpdate> updates)
    {
        try
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Disposal of a failed upstream stream must not hide the failure that matters.
        }
    }
}
