namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>Waits between retries; tests substitute one that records instead of sleeping.</summary>
public interface IRetryDelay
{
    Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken);
}

/// <summary>Waits on the injected <see cref="TimeProvider"/>'s timers.</summary>
public sealed class TimeProviderRetryDelay(TimeProvider timeProvider) : IRetryDelay
{
    public Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken) =>
        delay <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(delay, timeProvider, cancellationToken);
}
