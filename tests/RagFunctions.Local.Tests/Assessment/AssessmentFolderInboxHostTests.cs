using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Local.Assessment;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Local.Tests.Assessment;

public sealed class AssessmentFolderInboxHostTests
{
    [Fact]
    public async Task The_running_host_picks_up_a_file_written_then_renamed_into_the_inbox()
    {
        var store = new InMemoryConversationStore();
        await using var host = AssessmentTestKit.Host(store, inbox: new AssessmentInboxSettings { PollInterval = TimeSpan.FromMilliseconds(100), QuietPeriod = TimeSpan.Zero });
        using var client = host.CreateClient(); // starts the host and its hosted services
        var folders = host.Services.GetRequiredService<AssessmentInboxFolders>();
        folders.EnsureCreated();
        var temp = Path.Combine(folders.Inbox, "evt.json.partial");
        await File.WriteAllTextAsync(temp, AssessmentTestKit.EventJson());
        File.Move(temp, Path.Combine(folders.Inbox, "evt.json"));

        var processed = Path.Combine(folders.Processed, "evt.json");
        for (var waited = 0; !File.Exists(processed) && waited < 300; waited++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(processed), "the inbox did not move the file to processed/ within 30 s");
        Assert.Single(store.AllConversations());
    }
}
