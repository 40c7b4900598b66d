using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Chat;

namespace RagFunctions.Benchmarks.Chat;

/// <summary>Wraps the model so the bench can subtract its time from a turn: the elapsed time of each call is added to the
/// <see cref="StrongBox{T}"/> the current turn put in <see cref="Current"/> (an async-local, so 50 concurrent turns do not mix).</summary>
internal sealed class TimedChatClient(IChatClient inner) : DelegatingChatClient(inner)
{
    public static readonly AsyncLocal<StrongBox<double>?> Current = new();

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
        finally
        {
            Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Only the model's own work between pieces is counted, not the time the consumer holds each piece.
        var enumerator = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        await using (enumerator)
        {
            while (true)
            {
                var started = Stopwatch.GetTimestamp();
                var more = await enumerator.MoveNextAsync();
                Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (!more)
                {
                    yield break;
                }

                yield return enumerator.Current;
            }
        }
    }

    private static void Add(double ms)
    {
        if (Current.Value is { } box)
        {
            lock (box)
            {
                box.Value += ms;
            }
        }
    }
}

/// <summary>Serves the product's <see cref="ExtractiveAnswerer"/> as the one configured model, wrapped in <see cref="TimedChatClient"/>.</summary>
internal sealed class TimedExtractiveFactory(ExtractiveAnswerer answerer) : IChatClientFactory
{
    private readonly TimedChatClient _client = new(answerer);

    public IChatClient Create(string modelName) => _client;
}
