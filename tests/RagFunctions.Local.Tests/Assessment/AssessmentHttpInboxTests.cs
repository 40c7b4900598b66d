using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Moq;
using RagFunctions.Core.History;
using RagFunctions.Local.Assessment;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Local.Tests.Assessment;

public sealed class AssessmentHttpInboxTests
{
    private const string Route = "/api/chat/assessments/events";

    private static HttpRequestMessage Post(string body, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Route) { Content = AssessmentTestKit.Json(body) };
        if (key is not null)
        {
            request.Headers.Add(AssessmentHttpInbox.KeyHeader, key);
        }

        return request;
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    [Fact]
    public async Task Without_a_configured_key_the_inbox_answers_503_not_configured()
    {
        await using var host = AssessmentTestKit.Host(new InMemoryConversationStore(), withKey: false);
        using var client = AssessmentTestKit.Client(host, user: null);

        using var response = await client.SendAsync(Post(AssessmentTestKit.EventJson(), "anything"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("/problems/not-configured", (await ProblemAsync(response)).GetProperty("type").GetString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("wrong-key")]
    [InlineData("")]
    public async Task Missing_or_wrong_key_is_401_and_nothing_is_created(string? key)
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store);
        using var client = AssessmentTestKit.Client(host, user: null);

        using var response = await client.SendAsync(Post(AssessmentTestKit.EventJson(), key));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await ProblemAsync(response);
        Assert.Empty(store.AllConversations());
    }

    [Fact]
    public async Task Valid_event_is_202_and_the_conversation_is_ready_for_the_user()
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store);
        using var client = AssessmentTestKit.Client(host);

        using var response = await client.SendAsync(Post(AssessmentTestKit.EventJson(), AssessmentTestKit.InternalKey));
        using var conversation = await client.GetAsync("/api/chat/assessment/asm-1/conversation");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(accepted.GetProperty("created").GetBoolean());
        var body = JsonDocument.Parse(await conversation.Content.ReadAsStringAsync()).RootElement;
        Assert.True(body.GetProperty("exists").GetBoolean());
        Assert.Equal(accepted.GetProperty("conversationId").GetString(), body.GetProperty("conversation").GetProperty("id").GetString());
        Assert.Equal(1, body.GetProperty("messages").GetArrayLength());
        Assert.Equal("assessment_welcome", body.GetProperty("messages")[0].GetProperty("metadata").GetProperty("type").GetString());
    }

    [Fact]
    public async Task Invalid_event_is_400_with_errors_and_the_body_is_kept_in_deadletter()
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store);
        using var client = AssessmentTestKit.Client(host, user: null);
        var invalid = AssessmentTestKit.EventJson().Replace("\"R\":85", "\"R\":185", StringComparison.Ordinal);

        using var response = await client.SendAsync(Post(invalid, AssessmentTestKit.InternalKey));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("/problems/validation", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("errors").TryGetProperty("results.riasec.R", out _));
        Assert.Empty(store.AllConversations());
        var deadLetter = host.Services.GetRequiredService<AssessmentInboxFolders>().DeadLetter;
        var kept = Assert.Single(Directory.GetFiles(deadLetter, "*.json"));
        Assert.Equal(invalid, await File.ReadAllTextAsync(kept));
        Assert.Contains("ValidationFailed", await File.ReadAllTextAsync(AssessmentInboxFolders.ReasonPath(kept)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Store_failure_is_503_so_the_publisher_retries()
    {
        var store = new Mock<IConversationStore>();
        store.Setup(s => s.CreateIfNotExistsAsync(It.IsAny<Conversation>(), It.IsAny<CancellationToken>())).ThrowsAsync(new TimeoutException("store down"));
        await using var host = AssessmentTestKit.Host(store.Object);
        using var client = AssessmentTestKit.Client(host, user: null);

        using var response = await client.SendAsync(Post(AssessmentTestKit.EventJson(), AssessmentTestKit.InternalKey));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var problem = await ProblemAsync(response);
        Assert.Equal("/problems/upstream-unavailable", problem.GetProperty("type").GetString());
        Assert.True(problem.GetProperty("retryAfterSeconds").GetInt32() > 0);
    }

    [Fact]
    public async Task Five_concurrent_posts_of_the_same_event_give_one_conversation()
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store);
        using var client = AssessmentTestKit.Client(host, user: null);

        var responses = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => client.SendAsync(Post(AssessmentTestKit.EventJson(), AssessmentTestKit.InternalKey))));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Accepted, r.StatusCode));
        var conversation = Assert.Single(store.AllConversations());
        Assert.Single(store.MessagesOf("user-1", conversation.Id));
        foreach (var r in responses)
        {
            r.Dispose();
        }
    }
}
