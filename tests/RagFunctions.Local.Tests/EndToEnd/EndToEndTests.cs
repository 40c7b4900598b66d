using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Identity;
using RagFunctions.Local.Tests.Chat;
using RagFunctions.Local.Tests.Chat.Fakes;
using RagFunctions.Tests.Fakes.Chat;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.EndToEnd;

/// <summary>The real local host with every real adapter (SQLite stores, local index, hashed embedder, HS256 identity):
/// only the model is scripted where a test needs to see the prompt.</summary>
public sealed class EndToEndTests : IDisposable
{
    private const string SigningKey = "end-to-end-signing-key-0123456789abcdef";
    private const string InternalKey = "publisher-key-42";
    private readonly LocalHostFactory _host = new(new Dictionary<string, string?>
    {
        ["RagFunctions:Auth:Jwt:SigningKey"] = SigningKey,
        ["RagFunctions:Assessment:InternalKey"] = InternalKey,
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_dropped_document_grounds_an_extractive_answer_with_a_citation_and_stays_private_to_its_conversation_owner()
    {
        var client = _host.CreateWriterClient();
        var upload = await client.UploadAsync("warranty.md", Encoding.UTF8.GetBytes(
            "# Warranty\n\nThe Frobnicator 3000 warranty lasts thirty-six months from the date of purchase.\n\n# Shipping\n\nShipping takes five working days."));
        var documentId = (await upload.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await client.WaitForFinalStatusAsync(documentId);

        var alice = Authorized(client, "alice");
        var created = await alice.PostAsJsonAsync("/api/chat/conversations", new { title = "Warranty questions" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var conversationId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var turn = await alice.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/messages", new { content = "How long does the Frobnicator warranty last?" });
        turn.EnsureSuccessStatusCode();
        var body = await turn.Content.ReadFromJsonAsync<JsonElement>();
        var answer = body.GetProperty("assistantMessage").GetProperty("content").GetString()!;
        Assert.Contains("thirty-six months", answer, StringComparison.Ordinal);
        Assert.Contains("[1]", answer, StringComparison.Ordinal);
        var citation = body.GetProperty("citations").EnumerateArray().First();
        Assert.Equal(documentId, citation.GetProperty("documentId").GetString());
        Assert.Equal("warranty.md", citation.GetProperty("sourcePath").GetString());

        // Another user gets 404 for Alice's conversation, not 403; no token at all gets a 401 problem.
        var bob = Authorized(_host.CreateClient(), "bob");
        Assert.Equal(HttpStatusCode.NotFound, (await bob.GetAsync($"/api/chat/conversations/{conversationId}")).StatusCode);
        var anonymous = await _host.CreateClient().GetAsync("/api/chat/conversations");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);

        // Both messages are persisted in SQLite: the conversation reads back after the turn.
        var stored = await alice.GetFromJsonAsync<JsonElement>($"/api/chat/conversations/{conversationId}");
        Assert.Equal(["user", "assistant"], stored.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()));
    }

    [Fact]
    public async Task An_assessment_event_creates_one_conversation_whose_profile_summary_reaches_the_prompt_of_later_turns()
    {
        var model = new ScriptedChatClient("Investigative work suits you [1]. <<What next?>> <<Which courses?>> <<Which jobs?>>");
        using var host = _host.WithWebHostBuilder(b =>
        {
            b.UseSetting("RagFunctions:Chat:Models:0:Name", "scripted");
            b.ConfigureTestServices(s => s.AddSingleton<IChatClientFactory>(new FakeChatClientFactory(new Dictionary<string, IChatClient> { ["scripted"] = model })));
        });
        var client = host.CreateClient();
        var assessmentId = Guid.NewGuid().ToString();
        var evt = new
        {
            event_type = "analysis_complete",
            event_id = Guid.NewGuid().ToString(),
            user_id = "carol",
            assessment_id = assessmentId,
            completed_at = "2026-11-20T10:00:00Z",
            results = new
            {
                riasec = new { R = 85, I = 92, A = 78, S = 60, E = 55, C = 40 },
                ocean = new { O = 88, C = 75, E = 82, A = 70, N = 30 },
                via_is = new { creativity = 90, leadership = 85 },
            },
        };

        for (var delivery = 0; delivery < 3; delivery++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/assessments/events") { Content = JsonContent.Create(evt) };
            request.Headers.Add("X-Internal-Key", InternalKey);
            Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(request)).StatusCode);
        }

        var carol = Authorized(client, "carol");
        var ready = await carol.GetFromJsonAsync<JsonElement>("/api/chat/assessment-ready");
        Assert.True(ready.GetProperty("conversationExists").GetBoolean());
        var conversationId = ready.GetProperty("conversationId").GetString()!;
        var list = await carol.GetFromJsonAsync<JsonElement>("/api/chat/conversations");
        Assert.Single(list.GetProperty("conversations").EnumerateArray());

        var turn = await carol.PostAsJsonAsync($"/api/chat/conversations/{conversationId}/messages", new { content = "What kind of work fits me?" });
        turn.EnsureSuccessStatusCode();

        var prompt = string.Join("\n", model.LastMessages!.Select(m => m.Text));
        Assert.Contains("RIASEC I92 R85 A78", prompt, StringComparison.Ordinal);
    }

    private HttpClient Authorized(HttpClient client, string user)
    {
        var token = RagFunctions.Local.Identity.TokenCommand.Mint(
            new RagFunctions.Api.Identity.AuthOptions { Jwt = { SigningKey = SigningKey } },
            new RagFunctions.Local.Hosting.LocalHostOptions(),
            new RagFunctions.Local.Identity.TokenCommand.TokenRequest(user, null, [], TimeSpan.FromMinutes(10)),
            TimeProvider.System);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}
