using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Tests.Chat.Fakes;
using RagFunctions.Tests.Fakes.Chat;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Chat;

/// <summary>The real local host in-process with in-memory store/index/embedder and header identity; optional fake models.</summary>
public sealed class ChatHost : IDisposable
{
    private readonly LocalHostFactory _root;
    private readonly WebApplicationFactory<Program> _factory;

    public ChatHost(IDictionary<string, IChatClient>? models = null, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>(settings ?? new Dictionary<string, string?>());
        var names = models?.Keys.ToList() ?? [];
        for (var i = 0; i < names.Count; i++)
        {
            all[$"RagFunctions:Chat:Models:{i}:Name"] = names[i];
            all[$"RagFunctions:Chat:Models:{i}:TimeoutSeconds"] = "5";
        }

        _root = new LocalHostFactory(all);
        _factory = _root.WithWebHostBuilder(b => b.ConfigureTestServices(services =>
        {
            services.AddSingleton<IConversationStore>(Store);
            services.AddSingleton<ISearchIndex>(Index);
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new FakeEmbedder());
            services.AddSingleton<ICallerIdentityResolver, HeaderIdentityResolver>();
            if (models is not null)
            {
                services.AddSingleton<IChatClientFactory>(new FakeChatClientFactory(models));
            }
        }));
        Client = _factory.CreateClient();
    }

    public InMemoryConversationStore Store { get; } = new();

    public InMemorySearchIndex Index { get; } = new InMemorySearchIndex()
        .Add("manual", "Device manual", "The warranty period is two years from the date of purchase. The device is charged over USB-C.")
        .Add("faq", "FAQ", "Returns are free within thirty days. Shipping takes three working days.")
        .Add("alice-notes", "Alice private notes", "Alice's warranty claim number is 4711.", ["alice"]);

    public HttpClient Client { get; }

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string url, string? user = "alice", object? json = null, string? raw = null, string contentType = "application/json", string? accept = null)
    {
        var request = new HttpRequestMessage(method, url);
        if (user is not null)
        {
            request.Headers.Add(HeaderIdentityResolver.Header, user);
        }

        if (accept is not null)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
        }

        var body = raw ?? (json is null ? null : JsonSerializer.Serialize(json));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string url, string? user = "alice", object? json = null, int expectedStatus = 200, string? accept = null)
    {
        using var response = await SendAsync(method, url, user, json, accept: accept);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expectedStatus == (int)response.StatusCode, $"{method} {url}: expected {expectedStatus}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    public async Task<string> CreateConversationAsync(string user = "alice", object? body = null)
    {
        var created = await JsonAsync(HttpMethod.Post, "/api/chat/conversations", user, body ?? new { }, 201);
        return created.GetProperty("id").GetString()!;
    }

    public Task<JsonElement> SendMessageAsync(string conversationId, string content, string user = "alice", int expectedStatus = 200) =>
        JsonAsync(HttpMethod.Post, $"/api/chat/conversations/{conversationId}/messages", user, new { content }, expectedStatus);

    public void Dispose()
    {
        Client.Dispose();
        _factory.Dispose();
        _root.Dispose();
    }
}

/// <summary>Parses a text/event-stream body into (event, data) pairs.</summary>
public static class Sse
{
    public static IReadOnlyList<(string Event, JsonElement Data)> Parse(string body)
    {
        var events = new List<(string, JsonElement)>();
        foreach (var block in body.Replace("\r\n", "\n", StringComparison.Ordinal).Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (var line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line["event: ".Length..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line["data: ".Length..]);
                }
            }

            Assert.NotNull(name);
            events.Add((name!, JsonDocument.Parse(data.ToString()).RootElement.Clone()));
        }

        return events;
    }
}
