using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Identity;

using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Local.Tests.Chat.Fakes;

/// <summary>Test identity: the user id comes from the X-Test-User header; no header, no identity.</summary>
public sealed class HeaderIdentityResolver : ICallerIdentityResolver
{
    public const string Header = "X-Test-User";

    public CallerIdentity? Resolve(HttpRequest request) =>
        request.Headers.TryGetValue(Header, out var user) && !string.IsNullOrWhiteSpace(user) ? new CallerIdentity(user!, null, [], "test") : null;
}

/// <summary>Hands out pre-built clients by model name.</summary>
public sealed class FakeChatClientFactory(IDictionary<string, IChatClient> clients) : IChatClientFactory
{
    private readonly ConcurrentDictionary<string, IChatClient> _clients = new(clients);

    public IChatClient Create(string modelName) => _clients[modelName];
}
