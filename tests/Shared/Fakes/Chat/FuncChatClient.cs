using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace RagFunctions.Tests.Fakes.Chat;

/// <summary>A chat client whose answer is computed from the messages it is sent (so one model can answer a title request and a question
/// differently); safe for concurrent calls, which it records.</summary>
public sealed class FuncChatClient(Func<IReadOnlyList<ChatMessage>, CancellationToken, Task<string>> answer) : IChatClient
{
    public FuncChatClient(Func<IReadOnlyList<ChatMessage>, string> answer)
        : this((messages, _) => Task.FromResult(answer(messages)))
    {
    }

    /// <summary>Every request received, in arrival order.</summary>
    public ConcurrentQueue<IReadOnlyList<ChatMessage>> Requests { get; } = new();

    /// <summary>True when <paramref name="messages"/> is a conversation-title request (its system prompt asks for a title).</summary>
    public static bool IsTitleRequest(IReadOnlyList<ChatMessage> messages) =>
        messages.Count > 0 && messages[0].Role == ChatRole.System && messages[0].Text.Contains("write a title", StringComparison.OrdinalIgnoreCase);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ChatMessage> sent = [.. messages];
        Requests.Enqueue(sent);
        var text = await answer(sent, cancellationToken);
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        IReadOnlyList<ChatMessage> sent = [.. messages];
        Requests.Enqueue(sent);
        var text = await answer(sent, cancellationToken);
        foreach (var piece in text.Split(' '))
        {
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
