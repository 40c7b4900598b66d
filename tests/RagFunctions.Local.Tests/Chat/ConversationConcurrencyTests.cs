using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Api.Identity;
using RagFunctions.Local.Tests.Chat.Fakes;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Chat;

/// <summary>Rename and delete while turns run, on the real local host with its SQLite store (issue 11: 40/50 PATCH and 5/5 DELETE
/// without If-Match used to answer 412). Only the identity is a test double.</summary>
public sealed class ConversationConcurrencyTests : IDisposable
{
    private readonly LocalHostFactory _root = new();
    private readonly WebApplicationFactory<Program> _factory;
    private readonly HttpClient _client;

    public ConversationConcurrencyTests()
    {
        _factory = _root.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.AddSingleton<ICallerIdentityResolver, HeaderIdentityResolver>()));
        _client = _factory.CreateClient();
        _client.DefaultRequestHeaders.Add(HeaderIdentityResolver.Header, "alice");
    }

    public void Dispose()
    {
        _client.Dispose();
        _factory.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Patch_without_if_match_succeeds_every_time_while_turns_run()
    {
        var id = await CreateAsync();

        var turns = Enumerable.Range(0, 20).Select(i => SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", new { content = $"question {i}?" })).ToList();
        var patches = Enumerable.Range(0, 50).Select(i => SendAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", new { title = $"title {i}" })).ToList();
        var patchStatuses = await Task.WhenAll(patches);
        var turnStatuses = await Task.WhenAll(turns);

        Assert.All(patchStatuses, r => Assert.True(r.Status == HttpStatusCode.OK, $"PATCH answered {(int)r.Status}: {r.Body}"));
        Assert.All(turnStatuses, r => Assert.True(r.Status == HttpStatusCode.OK, $"turn answered {(int)r.Status}: {r.Body}"));
        var read = JsonDocument.Parse((await SendAsync(HttpMethod.Get, $"/api/chat/conversations/{id}")).Body).RootElement.GetProperty("conversation");
        Assert.Equal(40, read.GetProperty("messageCount").GetInt32());
        Assert.StartsWith("title ", read.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Delete_without_if_match_succeeds_while_turns_run()
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            ids.Add(await CreateAsync());
        }

        var turns = ids.SelectMany(id => Enumerable.Range(0, 4).Select(i => SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", new { content = $"q{i}?" }))).ToList();
        await Task.Delay(20);
        var deletes = await Task.WhenAll(ids.Select(id => SendAsync(HttpMethod.Delete, $"/api/chat/conversations/{id}")));
        var turnResults = await Task.WhenAll(turns);

        Assert.All(deletes, r => Assert.True(r.Status == HttpStatusCode.NoContent, $"DELETE answered {(int)r.Status}: {r.Body}"));
        // A turn that arrives after the delete finds no conversation: 404, never a 5xx.
        Assert.All(turnResults, r => Assert.Contains(r.Status, new[] { HttpStatusCode.OK, HttpStatusCode.NotFound }));
        foreach (var id in ids)
        {
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Get, $"/api/chat/conversations/{id}")).Status);
        }
    }

    [Fact]
    public async Task A_stale_if_match_is_412_and_the_current_etag_from_get_succeeds()
    {
        var id = await CreateAsync();
        var first = await SendAsync(HttpMethod.Get, $"/api/chat/conversations/{id}");
        var etag = first.ETag;
        Assert.NotNull(etag);
        Assert.StartsWith("\"", etag, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", new { content = "a turn moves the version" })).Status);

        var stale = await SendAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", new { title = "lost" }, ifMatch: etag);
        var staleDelete = await SendAsync(HttpMethod.Delete, $"/api/chat/conversations/{id}", ifMatch: etag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, stale.Status);
        Assert.Equal("application/problem+json", stale.ContentType);
        Assert.Equal("/problems/concurrency", JsonDocument.Parse(stale.Body).RootElement.GetProperty("type").GetString());
        Assert.Equal(HttpStatusCode.PreconditionFailed, staleDelete.Status);

        var current = (await SendAsync(HttpMethod.Get, $"/api/chat/conversations/{id}")).ETag;
        var renamed = await SendAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", new { title = "kept" }, ifMatch: current);
        Assert.Equal(HttpStatusCode.OK, renamed.Status);
        Assert.NotEqual(current, renamed.ETag);
        Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(HttpMethod.Delete, $"/api/chat/conversations/{id}", ifMatch: renamed.ETag)).Status);
    }

    [Fact]
    public async Task If_match_star_only_requires_the_conversation_to_exist()
    {
        var id = await CreateAsync();

        Assert.Equal(HttpStatusCode.OK, (await SendAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", new { title = "x" }, ifMatch: "*")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(HttpMethod.Patch, "/api/chat/conversations/nope", new { title = "x" }, ifMatch: "*")).Status);
    }

    private async Task<string> CreateAsync()
    {
        var created = await SendAsync(HttpMethod.Post, "/api/chat/conversations", new { });
        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.NotNull(created.ETag);
        return JsonDocument.Parse(created.Body).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<(HttpStatusCode Status, string Body, string? ETag, string? ContentType)> SendAsync(HttpMethod method, string url, object? json = null, string? ifMatch = null)
    {
        using var request = new HttpRequestMessage(method, url);
        if (json is not null)
        {
            request.Content = new StringContent(JsonSerializer.Serialize(json), Encoding.UTF8, "application/json");
        }

        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }

        using var response = await _client.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.ETag?.ToString(), response.Content.Headers.ContentType?.MediaType);
    }
}
