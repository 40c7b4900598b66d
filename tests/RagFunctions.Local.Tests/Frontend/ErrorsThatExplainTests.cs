using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.Extensions.AI;
using RagFunctions.Local.Tests.Chat;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Local.Tests.Frontend;

/// <summary>A failed model call tells the client why (cause class per model, no secrets) in the 503 problem and the SSE error
/// event, and /api/health turns degraded naming the failing model; a correlation id comes back on every answer.</summary>
public sealed class ErrorsThatExplainTests
{
    private const string Secret = "sk-secret-in-the-message";

    [Fact]
    public async Task Each_failed_model_names_its_cause_in_the_problem_and_the_error_event()
    {
        using var host = new ChatHost(new Dictionary<string, IChatClient>
        {
            ["llama3.1"] = new ScriptedChatClient(failure: new HttpRequestException(HttpRequestError.ConnectionError, $"refused {Secret}", new SocketException((int)SocketError.ConnectionRefused))),
            ["gpt"] = new ScriptedChatClient(failure: new HttpRequestException($"quota {Secret}", null, HttpStatusCode.TooManyRequests)),
        });
        var id = await host.CreateConversationAsync();

        var problem = await host.SendMessageAsync(id, "warranty?", expectedStatus: 503);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("llama3.1: failed (unreachable:", detail, StringComparison.Ordinal);
        Assert.Contains("gpt: failed (429:", detail, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, detail, StringComparison.Ordinal);

        using var stream = await host.SendAsync(HttpMethod.Post, $"/api/chat/conversations/{id}/messages", json: new { content = "again?" }, accept: "text/event-stream");
        var error = Sse.Parse(await stream.Content.ReadAsStringAsync()).Single(e => e.Event == "error").Data;
        Assert.Contains("unreachable", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("429", error.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_degraded_while_a_configured_model_fails_and_reports_embedder_models_index_and_store()
    {
        using var host = new ChatHost(new Dictionary<string, IChatClient>
        {
            ["primary"] = new ScriptedChatClient(failure: new HttpRequestException("unauthorized", null, HttpStatusCode.Unauthorized)),
            ["backup"] = new ScriptedChatClient("Two years [1]."),
        });

        var before = await host.JsonAsync(HttpMethod.Get, "/api/health", user: null);
        Assert.Equal("ready", before.GetProperty("status").GetString());
        Assert.Equal(2, before.GetProperty("models").GetArrayLength());
        Assert.True(before.GetProperty("models")[0].GetProperty("configured").GetBoolean());
        Assert.Equal("ok", before.GetProperty("store").GetProperty("status").GetString());
        Assert.False(string.IsNullOrEmpty(before.GetProperty("embedder").GetProperty("provider").GetString()));
        Assert.True(before.GetProperty("index").GetProperty("chunks").GetInt64() > 0);

        var id = await host.CreateConversationAsync();
        await host.SendMessageAsync(id, "How long is the warranty?");

        var after = await host.JsonAsync(HttpMethod.Get, "/api/health", user: null);
        Assert.Equal("degraded", after.GetProperty("status").GetString());
        var primary = after.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "primary");
        Assert.True(primary.GetProperty("failing").GetBoolean());
        Assert.StartsWith("401:", primary.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var backup = after.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "backup");
        Assert.False(backup.GetProperty("failing").GetBoolean());
        Assert.Equal(JsonValueKind.String, backup.GetProperty("lastSuccessAt").ValueKind);
        Assert.Contains(after.GetProperty("failing").EnumerateArray(), f => f.GetString()!.StartsWith("model primary: 401", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Every_answer_carries_a_correlation_id_and_a_plain_caller_id_is_kept()
    {
        using var host = new ChatHost();
        using var own = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        own.Headers.Add("X-Correlation-Id", "req-42");
        using var hostile = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        hostile.Headers.Add("X-Correlation-Id", "bad value with spaces");

        var kept = await host.Client.SendAsync(own);
        var replaced = await host.Client.SendAsync(hostile);

        Assert.Equal("req-42", kept.Headers.GetValues("X-Correlation-Id").Single());
        var generated = replaced.Headers.GetValues("X-Correlation-Id").Single();
        Assert.NotEqual("bad value with spaces", generated);
        Assert.Matches("^[A-Za-z0-9._:-]{1,64}$", generated);
    }
}
