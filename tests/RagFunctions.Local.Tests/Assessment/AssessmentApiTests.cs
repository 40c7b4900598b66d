using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Assessment;
using RagFunctions.Local.Assessment;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Local.Tests.Assessment;

public sealed class AssessmentApiTests : IAsyncLifetime
{
    private readonly InMemoryConversationStore _store = new();
    private WebApplicationFactory<Program> _host = null!;

    public Task InitializeAsync()
    {
        _host = AssessmentTestKit.Host(_store);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    private async Task<string> DeliverEventAsync(string userId = "user-1", string assessmentId = "asm-1", string completedAt = "2026-11-20T10:00:00Z")
    {
        using var client = AssessmentTestKit.Client(_host, user: null);
        using var request = new HttpRequestMessage(HttpMethod.Post, AssessmentHttpInbox.Route) { Content = AssessmentTestKit.Json(AssessmentTestKit.EventJson(userId, assessmentId, completedAt)) };
        request.Headers.Add(AssessmentHttpInbox.KeyHeader, AssessmentTestKit.InternalKey);
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await JsonAsync(response)).GetProperty("conversationId").GetString()!;
    }

    [Theory]
    [InlineData("GET", "/api/chat/assessment/asm-1/conversation")]
    [InlineData("POST", "/api/chat/assessment/asm-1/initialize")]
    [InlineData("GET", "/api/chat/conversations/abc/suggestions")]
    [InlineData("POST", "/api/chat/conversations/from-assessment")]
    [InlineData("GET", "/api/chat/assessment-ready")]
    [InlineData("GET", "/api/chat/notifications")]
    public async Task Every_endpoint_requires_a_caller(string method, string path)
    {
        using var client = AssessmentTestKit.Client(_host, user: null);
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (method == "POST")
        {
            request.Content = AssessmentTestKit.Json("{}");
        }

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Suggestions_of_another_users_conversation_are_404()
    {
        var conversationId = await DeliverEventAsync(userId: "owner");
        using var owner = AssessmentTestKit.Client(_host, "owner");
        using var stranger = AssessmentTestKit.Client(_host, "stranger");

        using var mine = await owner.GetAsync($"/api/chat/conversations/{conversationId}/suggestions");
        using var theirs = await stranger.GetAsync($"/api/chat/conversations/{conversationId}/suggestions");

        Assert.Equal(HttpStatusCode.OK, mine.StatusCode);
        var suggestions = (await JsonAsync(mine)).GetProperty("suggestions");
        Assert.InRange(suggestions.GetArrayLength(), 6, 8);
        Assert.Equal(HttpStatusCode.NotFound, theirs.StatusCode);
        Assert.Equal("/problems/not-found", (await JsonAsync(theirs)).GetProperty("type").GetString());
    }

    [Fact]
    public async Task Assessment_conversation_of_another_user_does_not_exist_for_the_caller()
    {
        await DeliverEventAsync(userId: "owner");
        using var stranger = AssessmentTestKit.Client(_host, "stranger");

        using var response = await stranger.GetAsync("/api/chat/assessment/asm-1/conversation");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.False(body.GetProperty("exists").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("conversation").ValueKind);
    }

    [Fact]
    public async Task From_assessment_creates_once_and_then_returns_the_same_conversation()
    {
        using var client = AssessmentTestKit.Client(_host);
        var body = $$"""{ "assessmentId": "manual-1", "title": "My profile", "results": {{AssessmentTestKit.ResultsJson}} }""";

        using var first = await client.PostAsync("/api/chat/conversations/from-assessment", AssessmentTestKit.Json(body));
        using var second = await client.PostAsync("/api/chat/conversations/from-assessment", AssessmentTestKit.Json(body));

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var a = await JsonAsync(first);
        var b = await JsonAsync(second);
        Assert.True(a.GetProperty("created").GetBoolean());
        Assert.False(b.GetProperty("created").GetBoolean());
        Assert.Equal(a.GetProperty("conversation").GetProperty("id").GetString(), b.GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal("My profile", a.GetProperty("conversation").GetProperty("title").GetString());
        Assert.Equal("assessment", a.GetProperty("conversation").GetProperty("contextType").GetString());
        Assert.False(string.IsNullOrEmpty(a.GetProperty("conversation").GetProperty("contextSummary").GetString()));
        Assert.Equal("assistant", a.GetProperty("initialMessage").GetProperty("role").GetString());
        Assert.InRange(a.GetProperty("suggestions").GetArrayLength(), 6, 8);
        Assert.Single(_store.AllConversations());
    }

    [Fact]
    public async Task From_assessment_with_invalid_results_is_a_validation_problem()
    {
        using var client = AssessmentTestKit.Client(_host);
        const string body = """{ "assessmentId": "m", "results": { "riasec": {"R": 101}, "ocean": {"O": 1} } }""";

        using var response = await client.PostAsync("/api/chat/conversations/from-assessment", AssessmentTestKit.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await JsonAsync(response)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("results.riasec.R", out _));
        Assert.True(errors.TryGetProperty("results.ocean", out _));
        Assert.Empty(_store.AllConversations());
    }

    [Fact]
    public async Task Initialize_is_the_manual_fallback_with_the_same_conversation_as_the_event()
    {
        using var client = AssessmentTestKit.Client(_host);

        using var missing = await client.PostAsync("/api/chat/assessment/asm-1/initialize", AssessmentTestKit.Json("{}"));
        using var created = await client.PostAsync("/api/chat/assessment/asm-1/initialize", AssessmentTestKit.Json($$"""{ "results": {{AssessmentTestKit.ResultsJson}} }"""));
        using var withoutResults = await client.PostAsync("/api/chat/assessment/asm-1/initialize", AssessmentTestKit.Json("{}"));
        var viaEvent = await DeliverEventAsync();

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withoutResults.StatusCode);
        Assert.Equal(viaEvent, (await JsonAsync(created)).GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal(viaEvent, (await JsonAsync(withoutResults)).GetProperty("conversation").GetProperty("id").GetString());
        Assert.Single(_store.AllConversations());
        Assert.Single(_store.MessagesOf("user-1", viaEvent));
    }

    [Fact]
    public async Task Assessment_ready_reports_the_latest_assessment_of_the_caller()
    {
        using var client = AssessmentTestKit.Client(_host);
        using var before = await client.GetAsync("/api/chat/assessment-ready");
        await DeliverEventAsync(assessmentId: "old", completedAt: "2026-01-01T00:00:00Z");
        var latest = await DeliverEventAsync(assessmentId: "new", completedAt: "2026-06-01T00:00:00Z");
        using var after = await client.GetAsync("/api/chat/assessment-ready");

        var empty = await JsonAsync(before);
        Assert.False(empty.GetProperty("hasAssessment").GetBoolean());
        Assert.False(empty.GetProperty("conversationExists").GetBoolean());
        var ready = await JsonAsync(after);
        Assert.True(ready.GetProperty("hasAssessment").GetBoolean());
        Assert.Equal("new", ready.GetProperty("assessmentId").GetString());
        Assert.Equal(latest, ready.GetProperty("conversationId").GetString());
        Assert.Equal(new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero), ready.GetProperty("assessmentDate").GetDateTimeOffset());
    }

    [Fact]
    public async Task Notifications_are_per_caller_and_since_returns_only_newer_ones()
    {
        var conversationId = await DeliverEventAsync();
        await DeliverEventAsync();
        using var client = AssessmentTestKit.Client(_host);
        using var stranger = AssessmentTestKit.Client(_host, "stranger");

        var all = await JsonAsync(await client.GetAsync("/api/chat/notifications"));
        var item = Assert.Single(all.GetProperty("items").EnumerateArray());
        Assert.Equal("chatbot_ready", item.GetProperty("type").GetString());
        Assert.Equal(conversationId, item.GetProperty("conversationId").GetString());
        Assert.Equal("asm-1", item.GetProperty("assessmentId").GetString());
        var latest = Uri.EscapeDataString(all.GetProperty("latest").GetString()!);
        var newer = await JsonAsync(await client.GetAsync($"/api/chat/notifications?since={latest}"));
        Assert.Equal(0, newer.GetProperty("items").GetArrayLength());
        var theirs = await JsonAsync(await stranger.GetAsync("/api/chat/notifications"));
        Assert.Equal(0, theirs.GetProperty("items").GetArrayLength());
        using var invalid = await client.GetAsync("/api/chat/notifications?since=not-a-date");
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
    }

    [Fact]
    public async Task Without_a_notification_reader_the_endpoint_says_so_instead_of_failing()
    {
        // The Functions app may publish notifications to a topic only; the optional reader must not break route binding.
        await using var host = _host.WithWebHostBuilder(b => b.ConfigureTestServices(s => s.RemoveAll<INotificationReader>()));
        using var client = AssessmentTestKit.Client(host);

        using var response = await client.GetAsync("/api/chat/notifications");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("/problems/upstream-unavailable", (await JsonAsync(response)).GetProperty("type").GetString());
    }
}
