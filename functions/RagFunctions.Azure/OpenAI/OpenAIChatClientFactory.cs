using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat;

namespace RagFunctions.Azure.OpenAI;

/// <summary>One <see cref="OpenAIChatClient"/> per model name of the fallback chain, all sharing one SDK pipeline.</summary>
public sealed class OpenAIChatClientFactory : IChatClientFactory
{
    private readonly OpenAIClientFactory _clients;
    private readonly Lazy<Uri> _endpoint;
    private readonly ConcurrentDictionary<string, IChatClient> _cache = new(StringComparer.Ordinal);

    public OpenAIChatClientFactory(OpenAIClientFactory clients, IOptions<OpenAIOptions> options)
    {
        ArgumentNullException.ThrowIfNull(clients);
        ArgumentNullException.ThrowIfNull(options);
        _clients = clients;
        _endpoint = new Lazy<Uri>(() => OpenAIClientFactory.ResolveEndpoint(options.Value));
    }

    public IChatClient Create(string modelName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(modelName);
        return _cache.GetOrAdd(modelName, name => new OpenAIChatClient(_clients.GetChatClient, name, _endpoint.Value));
    }
}
