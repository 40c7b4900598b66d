using System.Net;
using System.Text.Json;

namespace RagFunctions.Local.Tests.Chat;

/// <summary>Every kind of bad input gets a precise problem+json and writes nothing.</summary>
public sealed class ChatApiBadInputTests : IDisposable
{
    private const string Conv = "{conv}";
    private const string Msg = "{msg}";
    private readonly ChatHost _host = new();

    public void Dispose() => _host.Dispose();

    /// <summary>method, url, content type, raw body, user, expected status, expected problem slug, expected field with an error (or null).</summary>
    public static TheoryData<string, string, string, string?, string?, int, string, string?> Cases() => new()
    {
        { "GET", "/api/chat/conversations", "application/json", null, null, 401, "unauthorized", null },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", """{"content":"hi"}""", null, 401, "unauthorized", null },
        { "POST", "/api/chat/conversations", "text/plain", """{"title":"x"}""", "alice", 415, "unsupported-media-type", null },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/x-www-form-urlencoded", "content=hi", "alice", 415, "unsupported-media-type", null },
        { "POST", "/api/chat/conversations", "application/json", """{"title":"x",""", "alice", 400, "validation", "body" },
        { "POST", "/api/chat/conversations", "application/json", "", "alice", 400, "validation", "body" },
        { "POST", "/api/chat/conversations", "application/json", "null", "alice", 400, "validation", "body" },
        { "POST", "/api/chat/conversations", "application/json", """{"title":"x","owner":"bob"}""", "alice", 400, "validation", "owner" },
        { "POST", "/api/chat/conversations", "application/json", $$"""{"title":"{{new string('t', 201)}}"}""", "alice", 400, "validation", "title" },
        { "POST", "/api/chat/conversations", "application/json", """{"title":"   "}""", "alice", 400, "validation", "title" },
        { "POST", "/api/chat/conversations", "application/json", """{"contextType":"poetry"}""", "alice", 400, "validation", "contextType" },
        { "POST", "/api/chat/conversations", "application/json", """{"contextData":[1,2]}""", "alice", 400, "validation", "contextData" },
        { "POST", "/api/chat/conversations", "application/json", """{"title":42}""", "alice", 400, "validation", "title" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", """{"content":""}""", "alice", 400, "validation", "content" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", """{"content":"  \n\t "}""", "alice", 400, "validation", "content" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", "{}", "alice", 400, "validation", "content" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", $$"""{"content":"{{new string('x', 4001)}}"}""", "alice", 400, "validation", "content" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", """{"content":"hi","temperature":2}""", "alice", 400, "validation", "temperature" },
        { "POST", $"/api/chat/conversations/{Conv}/messages", "application/json", """{"content":"hi","parentMessageId":"ghost"}""", "alice", 400, "validation", "parentMessageId" },
        { "POST", "/api/chat/conversations/unknown/messages", "application/json", """{"content":"hi"}""", "alice", 404, "not-found", null },
        { "GET", "/api/chat/conversations?status=deleted", "application/json", null, "alice", 400, "validation", "status" },
        { "GET", "/api/chat/conversations?limit=0", "application/json", null, "alice", 400, "validation", "limit" },
        { "GET", "/api/chat/conversations?limit=-5", "application/json", null, "alice", 400, "validation", "limit" },
        { "GET", "/api/chat/conversations?limit=100000", "application/json", null, "alice", 400, "validation", "limit" },
        { "GET", "/api/chat/conversations?limit=ten", "application/json", null, "alice", 400, "validation", "limit" },
        { "GET", "/api/chat/conversations?continuationToken=not-a-token", "application/json", null, "alice", 400, "validation", "continuationToken" },
        { "GET", $"/api/chat/conversations/{Conv}/messages?before=ghost", "application/json", null, "alice", 400, "validation", "before" },
        { "PATCH", $"/api/chat/conversations/{Conv}", "application/json", """{"status":"deleted"}""", "alice", 400, "validation", "status" },
        { "PATCH", $"/api/chat/conversations/{Conv}", "application/json", "{}", "alice", 400, "validation", "body" },
        { "PATCH", "/api/chat/conversations/unknown", "application/json", """{"title":"x"}""", "alice", 404, "not-found", null },
        { "POST", $"/api/chat/conversations/{Conv}/messages/{Msg}/feedback", "application/json", """{"rating":"meh"}""", "alice", 400, "validation", "rating" },
        { "POST", $"/api/chat/conversations/{Conv}/messages/{Msg}/feedback", "application/json", $$"""{"rating":"up","comment":"{{new string('c', 2001)}}"}""", "alice", 400, "validation", "comment" },
        { "POST", $"/api/chat/conversations/{Conv}/messages/ghost/regenerate", "application/json", null, "alice", 404, "not-found", null },
        { "GET", $"/api/chat/conversations/{Conv}/export?format=pdf", "application/json", null, "alice", 400, "validation", "format" },
        { "GET", "/api/chat/usage/summary?period=year", "application/json", null, "alice", 400, "validation", "period" },
        { "POST", "/api/chat", "application/json", """{"messages":[]}""", "alice", 400, "validation", "messages" },
        { "POST", "/api/chat", "application/json", """{"messages":[{"role":"assistant","content":"hi"}]}""", "alice", 400, "validation", "messages" },
        { "POST", "/api/chat", "application/json", """{"messages":[{"role":"wizard","content":"hi"}]}""", "alice", 400, "validation", "messages[0].role" },
        { "POST", "/api/chat/stream", "application/json", """{"messages":[{"role":"user","content":" "}]}""", "alice", 400, "validation", "messages[0].content" },
        { "POST", "/api/chat", "application/json", """{"messages":[{"role":"user","content":"hi"}],"approach":"rrr"}""", "alice", 400, "validation", "approach" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Bad_input_gets_a_precise_problem_and_writes_nothing(
        string method, string url, string contentType, string? body, string? user, int status, string slug, string? field)
    {
        var conversationId = await _host.CreateConversationAsync();
        var turn = await _host.SendMessageAsync(conversationId, "warranty?");
        var messageId = turn.GetProperty("assistantMessage").GetProperty("id").GetString()!;
        var writes = _host.Store.Writes;

        using var response = await _host.SendAsync(new HttpMethod(method), url.Replace(Conv, conversationId, StringComparison.Ordinal).Replace(Msg, messageId, StringComparison.Ordinal),
            user, raw: body, contentType: contentType);
        var text = await response.Content.ReadAsStringAsync();

        Assert.True(status == (int)response.StatusCode, $"expected {status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal($"/problems/{slug}", problem.GetProperty("type").GetString());
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        if (field is not null)
        {
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out var errors), $"no error for '{field}': {text}");
            Assert.True(errors.GetArrayLength() > 0);
            Assert.DoesNotContain("System.", text, StringComparison.Ordinal);
        }

        Assert.Equal(writes, _host.Store.Writes);
    }

    [Fact]
    public async Task Messages_to_an_archived_conversation_are_409_and_write_nothing()
    {
        var id = await _host.CreateConversationAsync();
        await _host.JsonAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", json: new { status = "archived" });
        var writes = _host.Store.Writes;

        var problem = await _host.SendMessageAsync(id, "hello?", expectedStatus: (int)HttpStatusCode.Conflict);

        Assert.Equal("/problems/conflict", problem.GetProperty("type").GetString());
        Assert.Equal(writes, _host.Store.Writes);
        Assert.Empty(_host.Store.Messages(id));
    }

    [Fact]
    public async Task A_continuation_token_for_another_query_is_rejected()
    {
        for (var i = 0; i < 3; i++)
        {
            await _host.CreateConversationAsync();
        }

        var token = (await _host.JsonAsync(HttpMethod.Get, "/api/chat/conversations?status=active&limit=1")).GetProperty("continuationToken").GetString()!;

        var problem = await _host.JsonAsync(HttpMethod.Get, $"/api/chat/conversations?status=archived&continuationToken={Uri.EscapeDataString(token)}", expectedStatus: 400);
        Assert.True(problem.GetProperty("errors").TryGetProperty("continuationToken", out _));
    }
}
