using System.Net;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Options;
using RagFunctions.Azure.OpenAI;
using RagFunctions.Azure.Tests.Http;
using RagFunctions.Core.Common;

namespace RagFunctions.Azure.Tests.OpenAI;

public sealed class OpenAIChatClientContractTests
{
    private static IChatClient Client(OpenAIFake fake, string model = "gpt-4o-mini") =>
        new OpenAIChatClientFactory(fake.Factory(), Options.Create(new OpenAIOptions { Endpoint = OpenAIFake.AzureResource })).Create(model);

    private static List<ChatMessage> Conversation() =>
    [
        new(ChatRole.System, "Answer from the sources."),
        new(ChatRole.User, "What is RAG?"),
        new(ChatRole.Assistant, "Retrieval-augmented generation."),
        new(ChatRole.User, "And hybrid search?"),
    ];

    [Fact]
    public async Task Response_request_carries_model_messages_and_options_and_the_answer_is_mapped()
    {
        var fake = new OpenAIFake();

        var response = await Client(fake).GetResponseAsync(
            Conversation(),
            new ChatOptions { Temperature = 0.2f, MaxOutputTokens = 256, Instructions = "Cite [n]." });

        var request = Assert.Single(fake.Handler.Requests);
        Assert.Equal("https://res.openai.azure.com/openai/v1/chat/completions", request.Uri.GetLeftPart(UriPartial.Path));
        Assert.Equal("Bearer fixed-token", request.Header("Authorization"));
        var body = request.Json;
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal(0.2, body.GetProperty("temperature").GetDouble(), 3);
        var maxTokens = body.TryGetProperty("max_completion_tokens", out var m) ? m : body.GetProperty("max_tokens");
        Assert.Equal(256, maxTokens.GetInt32());
        var messages = body.GetProperty("messages").EnumerateArray().ToList();
        Assert.Equal(["system", "system", "user", "assistant", "user"], messages.Select(x => x.GetProperty("role").GetString()));
        Assert.Equal("Cite [n].", ContentText(messages[0]));
        Assert.Equal("And hybrid search?", ContentText(messages[4]));
        Assert.False(body.TryGetProperty("stream", out var stream) && stream.GetBoolean());

        Assert.Equal("Hello [1]", response.Text);
        Assert.Equal(ChatRole.Assistant, response.Messages.Single().Role);
        Assert.Equal("gpt-4o-mini-2024-07-18", response.ModelId);
        Assert.Equal("chatcmpl-1", response.ResponseId);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(12, response.Usage?.InputTokenCount);
        Assert.Equal(3, response.Usage?.OutputTokenCount);
        Assert.Equal(15, response.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Length_finish_reason_is_reported()
    {
        var fake = new OpenAIFake(_ => OpenAIFake.ChatResponse("cut", "length"));
        var response = await Client(fake).GetResponseAsync("hi");
        Assert.Equal(ChatFinishReason.Length, response.FinishReason);
    }

    [Fact]
    public async Task Each_model_of_the_chain_gets_its_own_client_and_a_model_override_is_honoured()
    {
        var fake = new OpenAIFake();
        var factory = new OpenAIChatClientFactory(fake.Factory(), Options.Create(new OpenAIOptions { Endpoint = OpenAIFake.AzureResource }));

        Assert.Same(factory.Create("primary"), factory.Create("primary"));
        await factory.Create("primary").GetResponseAsync("q");
        await factory.Create("fallback").GetResponseAsync("q");
        await factory.Create("primary").GetResponseAsync("q", new ChatOptions { ModelId = "override" });

        Assert.Equal(["primary", "fallback", "override"], fake.Handler.Requests.Select(r => r.Json.GetProperty("model").GetString()));
    }

    [Fact]
    public async Task Streaming_parses_server_sent_events_into_updates_with_usage()
    {
        const string head = """{"id":"c1","object":"chat.completion.chunk","created":1700000000,"model":"gpt-4o-mini","choices":[""";
        var fake = new OpenAIFake(_ => OpenAIFake.EventStream(
            head + """{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            head + """{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}""",
            head + """{"index":0,"delta":{"content":"lo [1]"},"finish_reason":null}]}""",
            head + """{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            head + """],"usage":{"prompt_tokens":12,"completion_tokens":2,"total_tokens":14}}""",
            "[DONE]"));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in Client(fake).GetStreamingResponseAsync(Conversation()))
        {
            updates.Add(update);
        }

        var body = Assert.Single(fake.Handler.Requests).Json;
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());

        Assert.Equal("Hello [1]", string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(ChatRole.Assistant, updates[0].Role);
        Assert.Equal(ChatFinishReason.Stop, Assert.Single(updates, u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal("c1", u.ResponseId));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(12, usage.InputTokenCount);
        Assert.Equal(2, usage.OutputTokenCount);

        // The abstraction's own aggregation sees the same answer.
        var combined = updates.ToChatResponse();
        Assert.Equal("Hello [1]", combined.Text);
        Assert.Equal(14, combined.Usage?.TotalTokenCount);
    }

    [Fact]
    public async Task Streaming_throttle_surfaces_as_rate_limited()
    {
        var fake = new OpenAIFake(_ => OpenAIFake.TooManyRequests("7"));

        var error = await Assert.ThrowsAsync<RateLimitedProblemException>(async () =>
        {
            await foreach (var _ in Client(fake).GetStreamingResponseAsync("q"))
            {
            }
        });

        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
        Assert.Single(fake.Handler.Requests);
    }

    [Fact]
    public async Task Non_streaming_failures_map_like_the_embedder()
    {
        var throttled = new OpenAIFake(_ => OpenAIFake.TooManyRequests("3"));
        Assert.Equal(TimeSpan.FromSeconds(3), (await Assert.ThrowsAsync<RateLimitedProblemException>(() => Client(throttled).GetResponseAsync("q"))).RetryAfter);

        var down = new OpenAIFake(_ => Canned.Error(HttpStatusCode.ServiceUnavailable));
        await Assert.ThrowsAsync<UpstreamUnavailableProblemException>(() => Client(down).GetResponseAsync("q"));
    }

    [Fact]
    public async Task Caller_cancellation_is_not_reported_as_an_upstream_failure()
    {
        using var cts = new CancellationTokenSource();
        var fake = new OpenAIFake(_ =>
        {
            cts.Cancel();
            throw new TaskCanceledException();
        });

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Client(fake).GetResponseAsync("q", cancellationToken: cts.Token));
        Assert.IsNotType<UpstreamUnavailableProblemException>(error);
    }

    [Fact]
    public async Task Tools_are_rejected_rather_than_dropped()
    {
        var fake = new OpenAIFake();
        var options = new ChatOptions { Tools = [AIFunctionFactory.Create(() => 1, "one")] };
        await Assert.ThrowsAsync<NotSupportedException>(() => Client(fake).GetResponseAsync("q", options));
        Assert.Empty(fake.Handler.Requests);
    }

    private static string ContentText(System.Text.Json.JsonElement message)
    {
        var content = message.GetProperty("content");
        return content.ValueKind == System.Text.Json.JsonValueKind.String
            ? content.GetString()!
            : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));
    }
}
