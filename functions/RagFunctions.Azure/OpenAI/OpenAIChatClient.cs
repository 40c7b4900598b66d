using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AIFinishReason = Microsoft.Extensions.AI.ChatFinishReason;
using SdkChatClient = global::OpenAI.Chat.ChatClient;
using SdkChatCompletion = global::OpenAI.Chat.ChatCompletion;
using SdkChatMessage = global::OpenAI.Chat.ChatMessage;
using SdkChatOptions = global::OpenAI.Chat.ChatCompletionOptions;
using SdkContent = global::OpenAI.Chat.ChatMessageContent;
using SdkContentKind = global::OpenAI.Chat.ChatMessageContentPartKind;
using SdkFinishReason = global::OpenAI.Chat.ChatFinishReason;
using SdkRole = global::OpenAI.Chat.ChatMessageRole;
using SdkUsage = global::OpenAI.Chat.ChatTokenUsage;

namespace RagFunctions.Azure.OpenAI;

/// <summary>
/// <see cref="IChatClient"/> over the OpenAI SDK's chat completions (Azure OpenAI deployment or OpenAI-compatible model).
/// Text in, text out: tools and images are not part of the RAG turn and are rejected rather than silently dropped.
/// Failures map like the embedder's (429 → rate limited, 5xx/timeouts → upstream unavailable), so the fallback chain can tell
/// "try the next model" from a bug.
/// </summary>
public sealed class OpenAIChatClient : IChatClient
{
    private readonly Func<string, SdkChatClient> _clientForModel;
    private readonly ConcurrentDictionary<string, SdkChatClient> _clients = new(StringComparer.Ordinal);
    private readonly string _defaultModel;
    private readonly ChatClientMetadata _metadata;

    /// <param name="clientForModel">Creates the SDK client for a model id (the default one, or <see cref="ChatOptions.ModelId"/> when a call names another).</param>
    public OpenAIChatClient(Func<string, SdkChatClient> clientForModel, string defaultModel, Uri? endpoint = null)
    {
        ArgumentNullException.ThrowIfNull(clientForModel);
        ArgumentException.ThrowIfNullOrWhiteSpace(defaultModel);
        _clientForModel = clientForModel;
        _defaultModel = defaultModel;
        _metadata = new ChatClientMetadata("openai", endpoint, defaultModel);
    }

    public Task<ChatResponse> GetResponseAsync(IEnumerable<AIChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        return OpenAIErrors.Guard(
            async () =>
            {
                var result = await client.CompleteChatAsync(sdkMessages, sdkOptions, cancellationToken).ConfigureAwait(false);
                return ToResponse(result.Value);
            },
            "a chat completion",
            cancellationToken);
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<AIChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var (client, sdkMessages, sdkOptions) = Prepare(messages, options);
        const string operation = "a streamed chat completion";

        // Errors surface on the first MoveNext (the HTTP status) or mid-stream (a broken connection); both are mapped.
        // A yield cannot sit inside a try with a catch, hence the hand-rolled loop.
        IAsyncEnumerator<global::OpenAI.Chat.StreamingChatCompletionUpdate> enumerator;
        try
        {
            enumerator = client.CompleteChatStreamingAsync(sdkMessages, sdkOptions, cancellationToken).GetAsyncEnumerator(cancellationToken);
        }
        catch (Exception ex) when (OpenAIErrors.Map(ex, operation, cancellationToken) is { } mapped)
        {
            throw mapped;
        }

        await using (enumerator.ConfigureAwait(false))
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await enumerator.MoveNextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (OpenAIErrors.Map(ex, operation, cancellationToken) is { } mapped)
                {
                    throw mapped;
                }

                if (!more)
                {
                    yield break;
                }

                yield return ToUpdate(enumerator.Current);
            }
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        if (serviceKey is not null)
        {
            return null;
        }

        if (serviceType == typeof(ChatClientMetadata))
        {
            return _metadata;
        }

        return serviceType.IsInstanceOfType(this) ? this : null;
    }

    public void Dispose()
    {
        // SDK clients are shared and own no disposable state.
    }

    private (SdkChatClient Client, List<SdkChatMessage> Messages, SdkChatOptions Options) Prepare(IEnumerable<AIChatMessage> messages, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(messages);
        if (options?.Tools is { Count: > 0 })
        {
            throw new NotSupportedException("Tool calling is not supported by this chat client.");
        }

        var sdkMessages = new List<SdkChatMessage>();
        if (!string.IsNullOrWhiteSpace(options?.Instructions))
        {
            sdkMessages.Add(SdkChatMessage.CreateSystemMessage(options.Instructions));
        }

        foreach (var message in messages)
        {
            sdkMessages.Add(ToSdkMessage(message));
        }

        if (sdkMessages.Count == 0)
        {
            throw new ArgumentException("At least one message is required.", nameof(messages));
        }

        var sdkOptions = new SdkChatOptions
        {
            Temperature = options?.Temperature,
            TopP = options?.TopP,
            MaxOutputTokenCount = options?.MaxOutputTokens,
            FrequencyPenalty = options?.FrequencyPenalty,
            PresencePenalty = options?.PresencePenalty,
        };
        foreach (var stop in options?.StopSequences ?? [])
        {
            sdkOptions.StopSequences.Add(stop);
        }

        var model = string.IsNullOrWhiteSpace(options?.ModelId) ? _defaultModel : options.ModelId;
        return (_clients.GetOrAdd(model, _clientForModel), sdkMessages, sdkOptions);
    }

    private static SdkChatMessage ToSdkMessage(AIChatMessage message)
    {
        if (message.Contents.Any(c => c is not TextContent))
        {
            throw new NotSupportedException($"Only text content is supported; a {message.Role} message carries {message.Contents.First(c => c is not TextContent).GetType().Name}.");
        }

        var text = message.Text;
        if (message.Role == ChatRole.System)
        {
            return SdkChatMessage.CreateSystemMessage(text);
        }

        if (message.Role == ChatRole.User)
        {
            return SdkChatMessage.CreateUserMessage(text);
        }

        if (message.Role == ChatRole.Assistant)
        {
            return SdkChatMessage.CreateAssistantMessage(text);
        }

        throw new NotSupportedException($"Chat role '{message.Role}' is not supported.");
    }

    private static ChatResponse ToResponse(SdkChatCompletion completion)
    {
        var message = new AIChatMessage(ToRole(completion.Role), TextOf(completion.Content))
        {
            MessageId = completion.Id,
            CreatedAt = completion.CreatedAt,
        };

        return new ChatResponse(message)
        {
            ResponseId = completion.Id,
            ModelId = completion.Model,
            CreatedAt = completion.CreatedAt,
            FinishReason = ToFinishReason(completion.FinishReason),
            Usage = ToUsage(completion.Usage),
            RawRepresentation = completion,
        };
    }

    private static ChatResponseUpdate ToUpdate(global::OpenAI.Chat.StreamingChatCompletionUpdate update)
    {
        var result = new ChatResponseUpdate
        {
            Role = update.Role is { } role ? ToRole(role) : null,
            ResponseId = update.CompletionId,
            MessageId = update.CompletionId,
            ModelId = update.Model,
            CreatedAt = update.CreatedAt == default ? null : update.CreatedAt,
            FinishReason = update.FinishReason is { } reason ? ToFinishReason(reason) : null,
            RawRepresentation = update,
        };

        foreach (var part in update.ContentUpdate)
        {
            if (part.Kind == SdkContentKind.Text && !string.IsNullOrEmpty(part.Text))
            {
                result.Contents.Add(new TextContent(part.Text));
            }
        }

        // The last chunk of a stream carries usage (the SDK asks for it with stream_options.include_usage).
        if (ToUsage(update.Usage) is { } usage)
        {
            result.Contents.Add(new UsageContent(usage));
        }

        return result;
    }

    private static string TextOf(SdkContent content) =>
        string.Concat(content.Where(p => p.Kind == SdkContentKind.Text).Select(p => p.Text));

    private static ChatRole ToRole(SdkRole role) => role switch
    {
        SdkRole.System => ChatRole.System,
        SdkRole.User => ChatRole.User,
        SdkRole.Tool => ChatRole.Tool,
        _ => ChatRole.Assistant,
    };

    private static AIFinishReason ToFinishReason(SdkFinishReason reason) => reason switch
    {
        SdkFinishReason.Stop => AIFinishReason.Stop,
        SdkFinishReason.Length => AIFinishReason.Length,
        SdkFinishReason.ContentFilter => AIFinishReason.ContentFilter,
        SdkFinishReason.ToolCalls or SdkFinishReason.FunctionCall => AIFinishReason.ToolCalls,
        _ => new AIFinishReason(reason.ToString()),
    };

    private static UsageDetails? ToUsage(SdkUsage? usage) => usage is null
        ? null
        : new UsageDetails
        {
            InputTokenCount = usage.InputTokenCount,
            OutputTokenCount = usage.OutputTokenCount,
            TotalTokenCount = usage.TotalTokenCount,
            CachedInputTokenCount = usage.InputTokenDetails?.CachedTokenCount,
            ReasoningTokenCount = usage.OutputTokenDetails?.ReasoningTokenCount,
        };
}
