namespace RagFunctions.Core.Assessment;

/// <summary>Publishes each notification to several sinks in order, e.g. the store the frontend polls, then a Service Bus topic.</summary>
/// <remarks>
/// Sequential, in the given order, and stopping at the first failure, which propagates: the assessment handler treats it as
/// transient and the event is redelivered. Every sink must therefore be idempotent on <see cref="ChatbotReadyNotification.Id"/>
/// (the store ignores a duplicate id; the topic sink sets it as <c>MessageId</c>), so the sinks that already succeeded
/// absorb the repeat. Put the polled store first: anyone reacting to the topic message can then read the record.
/// </remarks>
public sealed class CompositeNotificationSink : INotificationSink
{
    private readonly INotificationSink[] _sinks;

    public CompositeNotificationSink(IEnumerable<INotificationSink> sinks)
    {
        ArgumentNullException.ThrowIfNull(sinks);
        _sinks = [.. sinks];
        if (_sinks.Any(s => s is null))
        {
            throw new ArgumentException("A notification sink is null.", nameof(sinks));
        }
    }

    /// <summary>The sinks, in publishing order.</summary>
    public IReadOnlyList<INotificationSink> Sinks => _sinks;

    public async Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        foreach (var sink in _sinks)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await sink.PublishAsync(notification, cancellationToken).ConfigureAwait(false);
        }
    }
}
