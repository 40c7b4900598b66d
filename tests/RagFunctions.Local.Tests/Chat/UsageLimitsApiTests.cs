using System.Net;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Local.Tests.Chat;

/// <summary>Per-user limits on the real local host (SQLite usage ledger): 429 problem+json with Retry-After, RateLimit-Policy and RateLimit,
/// nothing written when refused, the AI Chat Protocol routes counted alike, and the remaining allowance in the usage summary.</summary>
public sealed class UsageLimitsApiTests
{
    private static ChatHost Host(int messagesPerHour = 0, int conversationsPerDay = 0, long tokensPerDay = 0, IDictionary<string, IChatClient>? models = null) => new(models, new Dictionary<string, string?>
    {
        ["RagFunctions:Limits:MessagesPerHour"] = messagesPerHour.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RagFunctions:Limits:ConversationsPerDay"] = conversationsPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RagFunctions:Limits:TokensPerDay"] = tokensPerDay.ToString(System.Globalization.CultureInfo.InvariantCulture),
    });

    [Fact]
    public async Task Messages_over_the_hourly_limit_get_429_with_retry_after_and_ratelimit_headers_and_write_nothing()
    {
        using var host = Host(messagesPerHour: 2, conversationsPerDay: 10);
        var id = await host.CreateConversationAsync();
        await host.SendMessageAsync(id, "How long is the warranty?");
        await host.SendMessageAsync(id, "And shipping?");
        var writes = host.Store.Writes;

        using var refused = await host.SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", json: new { content = "Third?" });
        var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.Equal("/problems/usage-limit", body.GetProperty("type").GetString());
        Assert.Contains("RagFunctions:Limits:MessagesPerHour", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("messages-per-hour", body.GetProperty("limit").GetProperty("name").GetString());
        var retryAfter = int.Parse(refused.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 3590, 3600);
        Assert.Equal(retryAfter, body.GetProperty("retryAfterSeconds").GetInt32());
        Assert.Equal("\"messages-per-hour\";q=2;w=3600, \"conversations-per-day\";q=10;w=86400", refused.Headers.GetValues("RateLimit-Policy").Single());
        Assert.Equal($"\"messages-per-hour\";r=0;t={retryAfter}", refused.Headers.GetValues("RateLimit").Single());
        Assert.Equal(writes, host.Store.Writes);

        // Streaming asks are refused the same way, before any event is written.
        using var stream = await host.SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", json: new { content = "Stream?" }, accept: "text/event-stream");
        Assert.Equal(HttpStatusCode.TooManyRequests, stream.StatusCode);
        Assert.Equal("application/problem+json", stream.Content.Headers.ContentType!.MediaType);

        // Another user is not affected.
        var bobs = await host.CreateConversationAsync("bob");
        await host.SendMessageAsync(bobs, "Warranty?", "bob");
    }

    [Fact]
    public async Task The_ai_chat_protocol_routes_count_against_the_same_allowance()
    {
        using var host = Host(messagesPerHour: 1);
        var ask = new { messages = new[] { new { role = "user", content = "How long is the warranty?" } } };

        await host.JsonAsync(HttpMethod.Post, "/api/chat", json: ask);
        using var refused = await host.SendAsync(HttpMethod.Post, "/api/chat/stream", json: ask);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType!.MediaType);
        Assert.True(refused.Headers.Contains("Retry-After"));
        var id = await host.CreateConversationAsync();
        await host.SendMessageAsync(id, "Anything?", expectedStatus: 429);
    }

    [Fact]
    public async Task Conversations_over_the_daily_limit_get_429()
    {
        using var host = Host(conversationsPerDay: 2);
        await host.CreateConversationAsync();
        await host.CreateConversationAsync();
        var writes = host.Store.Writes;

        var refused = await host.JsonAsync(HttpMethod.Post, "/api/chat/conversations", json: new { title = "third" }, expectedStatus: 429);

        Assert.Equal("conversations-per-day", refused.GetProperty("limit").GetProperty("name").GetString());
        Assert.Equal(writes, host.Store.Writes);
        // A request refused for bad input does not use up an allowance.
        await host.JsonAsync(HttpMethod.Post, "/api/chat/conversations", "bob", new { contextType = "nope" }, 400);
        await host.CreateConversationAsync("bob");
        await host.CreateConversationAsync("bob");
    }

    [Fact]
    public async Task Tokens_per_day_refuse_the_turn_after_the_one_that_used_them_up()
    {
        // The scripted model reports 11 + 7 tokens per answer (the extractive answerer uses none).
        using var host = Host(tokensPerDay: 18, models: new Dictionary<string, IChatClient> { ["model"] = new ScriptedChatClient("Two years [1].") });
        var id = await host.CreateConversationAsync();
        var turn = await host.SendMessageAsync(id, "How long is the warranty period?");
        Assert.Equal(18, turn.GetProperty("usage").GetProperty("totalTokens").GetInt32());

        var refused = await host.SendMessageAsync(id, "And returns?", expectedStatus: 429);

        Assert.Equal("tokens-per-day", refused.GetProperty("limit").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Usage_summary_shows_the_remaining_allowance_of_each_configured_limit()
    {
        using var host = Host(messagesPerHour: 5, conversationsPerDay: 3, tokensPerDay: 100_000);
        var id = await host.CreateConversationAsync();
        var turn = await host.SendMessageAsync(id, "How long is the warranty?");
        var tokens = turn.GetProperty("usage").GetProperty("totalTokens").GetInt32();

        var summary = await host.JsonAsync(HttpMethod.Get, "/api/chat/usage/summary");
        var limits = summary.GetProperty("limits").EnumerateArray().ToDictionary(l => l.GetProperty("name").GetString()!);

        Assert.Equal((5, 1, 4, 3600), Read(limits["messages-per-hour"]));
        Assert.Equal((3, 1, 2, 86400), Read(limits["conversations-per-day"]));
        Assert.Equal((100_000, tokens, 100_000 - tokens, 86400), Read(limits["tokens-per-day"]));
        Assert.Equal("RagFunctions:Limits:TokensPerDay", limits["tokens-per-day"].GetProperty("setting").GetString());
        Assert.InRange(limits["messages-per-hour"].GetProperty("resetSeconds").GetInt32(), 3590, 3600);
    }

    [Fact]
    public async Task Zero_turns_every_limit_off()
    {
        using var host = Host();
        var id = await host.CreateConversationAsync();
        for (var i = 0; i < 5; i++)
        {
            await host.SendMessageAsync(id, $"Question {i}?");
        }

        var summary = await host.JsonAsync(HttpMethod.Get, "/api/chat/usage/summary");
        Assert.Equal(0, summary.GetProperty("limits").GetArrayLength());
    }

    private static (long Quota, long Used, long Remaining, int Window) Read(JsonElement l) =>
        (l.GetProperty("quota").GetInt64(), l.GetProperty("used").GetInt64(), l.GetProperty("remaining").GetInt64(), l.GetProperty("windowSeconds").GetInt32());
}
