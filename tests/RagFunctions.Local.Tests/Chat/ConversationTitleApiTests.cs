using Microsoft.Extensions.AI;
using RagFunctions.Tests.Fakes.Chat;

namespace RagFunctions.Local.Tests.Chat;

/// <summary>Model-written conversation titles through the HTTP API, with scripted models.</summary>
public sealed class ConversationTitleApiTests
{
    private const string Answer = "The warranty period is two years [1]. <<Is shipping free?>> <<How do returns work?>> <<What about USB-C?>>";

    private static async Task<string> TitleAsync(ChatHost host, string id) =>
        (await host.JsonAsync(HttpMethod.Get, $"/api/chat/conversations/{id}")).GetProperty("conversation").GetProperty("title").GetString()!;

    [Fact]
    public async Task The_first_model_titles_a_new_conversation_after_answering_as_json_and_as_a_stream()
    {
        var model = new FuncChatClient(m => FuncChatClient.IsTitleRequest(m) ? "\"Device warranty period.\"" : Answer);
        using var host = new ChatHost(new Dictionary<string, IChatClient> { ["primary"] = model, ["backup"] = new ScriptedChatClient("unused") });

        var json = await host.CreateConversationAsync();
        var turn = await host.SendMessageAsync(json, "  How long is the warranty?  ");
        Assert.Equal("The warranty period is two years [1].", turn.GetProperty("assistantMessage").GetProperty("content").GetString());
        Assert.Equal("Device warranty period", await TitleAsync(host, json));

        var streamed = await host.CreateConversationAsync();
        using (var response = await host.SendAsync(HttpMethod.Post, $"/api/chat/conversations/{streamed}/messages", json: new { content = "Warranty?" }, accept: "text/event-stream"))
        {
            var events = Sse.Parse(await response.Content.ReadAsStringAsync());
            Assert.Equal("done", events[^1].Event);
        }

        Assert.Equal("Device warranty period", await TitleAsync(host, streamed));

        // Later turns keep the title and ask for no new one.
        await host.SendMessageAsync(json, "And the shipping?");
        Assert.Equal("Device warranty period", await TitleAsync(host, json));
        Assert.Equal(2, model.Requests.Count(FuncChatClient.IsTitleRequest));
    }

    [Fact]
    public async Task A_failing_first_model_leaves_the_trimmed_title_while_the_backup_answers()
    {
        using var host = new ChatHost(new Dictionary<string, IChatClient>
        {
            ["primary"] = new ScriptedChatClient(failure: new HttpRequestException("primary down")),
            ["backup"] = new FuncChatClient(m => FuncChatClient.IsTitleRequest(m) ? "Backup must not title" : Answer),
        });
        var id = await host.CreateConversationAsync();

        var turn = await host.SendMessageAsync(id, "How long is the   warranty?");

        Assert.Equal("backup", turn.GetProperty("usage").GetProperty("model").GetString());
        Assert.Equal("How long is the warranty?", await TitleAsync(host, id));
    }

    [Fact]
    public async Task A_rename_during_the_first_turn_is_not_overwritten_by_the_model_title()
    {
        ChatHost? host = null;
        string? id = null;
        var renamed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var model = new FuncChatClient(async (messages, ct) =>
        {
            if (FuncChatClient.IsTitleRequest(messages))
            {
                await host!.JsonAsync(HttpMethod.Patch, $"/api/chat/conversations/{id}", json: new { title = "Mine" });
                renamed.SetResult();
                return "Model title";
            }

            await renamed.Task.WaitAsync(ct);
            return Answer;
        });
        using (host = new ChatHost(new Dictionary<string, IChatClient> { ["primary"] = model }))
        {
            id = await host.CreateConversationAsync();

            await host.SendMessageAsync(id, "How long is the warranty?");

            Assert.Equal("Mine", await TitleAsync(host, id));
        }
    }
}
