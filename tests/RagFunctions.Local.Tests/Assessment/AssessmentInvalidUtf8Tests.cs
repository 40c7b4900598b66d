using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Local.Assessment;
using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Local.Tests.Assessment;

/// <summary>Invalid UTF-8 inside an event's JSON string (issue 11: 500 on the HTTP inbox, endless retries in the folder inbox).</summary>
public sealed class AssessmentInvalidUtf8Tests
{
    /// <summary>A valid event whose userId string holds the bytes C3 28 (a lead byte followed by a non-continuation byte).</summary>
    private static byte[] EventWithInvalidUtf8()
    {
        var json = Encoding.UTF8.GetBytes(AssessmentTestKit.EventJson(userId: "user-@@"));
        var at = json.AsSpan().IndexOf("@@"u8);
        json[at] = 0xC3;
        json[at + 1] = 0x28;
        return json;
    }

    [Fact]
    public async Task The_http_inbox_answers_400_and_keeps_the_body_in_deadletter()
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store);
        using var client = AssessmentTestKit.Client(host, user: null);
        var body = EventWithInvalidUtf8();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/chat/assessments/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add(AssessmentHttpInbox.KeyHeader, AssessmentTestKit.InternalKey);

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains("not valid UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(store.AllConversations());
        var kept = Assert.Single(Directory.GetFiles(host.Services.GetRequiredService<AssessmentInboxFolders>().DeadLetter, "*.json"));
        Assert.Equal(body, await File.ReadAllBytesAsync(kept));
    }

    [Fact]
    public async Task The_folder_inbox_dead_letters_the_file_on_the_first_scan()
    {
        var store = new InMemoryConversationStore();
        var (inbox, folders) = AssessmentTestKit.FolderInbox(store, AssessmentTestKit.TempFolder());
        folders.EnsureCreated();
        await File.WriteAllBytesAsync(Path.Combine(folders.Inbox, "bad-utf8.json"), EventWithInvalidUtf8());

        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["bad-utf8.json"], result.DeadLettered);
        Assert.False(File.Exists(Path.Combine(folders.Inbox, "bad-utf8.json")));
        Assert.Contains("MalformedJson", await File.ReadAllTextAsync(Path.Combine(folders.DeadLetter, "bad-utf8.reason.txt")), StringComparison.Ordinal);
        Assert.Empty(store.AllConversations());
    }
}
