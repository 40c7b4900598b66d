using RagFunctions.Core.History;
using RagFunctions.Local.Assessment;

using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Local.Tests.Assessment;

public sealed class AssessmentFolderInboxTests
{
    private readonly string _root = AssessmentTestKit.TempFolder();
    private readonly InMemoryConversationStore _store = new();

    private string InboxPath(AssessmentInboxFolders folders, string name) => Path.Combine(folders.Inbox, name);

    [Fact]
    public async Task Valid_event_file_is_handled_and_moved_to_processed()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        await File.WriteAllTextAsync(InboxPath(folders, "evt.json"), AssessmentTestKit.EventJson());

        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["evt.json"], result.Processed);
        Assert.False(File.Exists(InboxPath(folders, "evt.json")));
        Assert.True(File.Exists(Path.Combine(folders.Processed, "evt.json")));
        Assert.Single(_store.AllConversations());
        Assert.Equal(Path.Combine(_root, "events", "assessment"), folders.Inbox);
    }

    [Theory]
    [InlineData("{ \"event_type\": \"analysis_complete\", \"user_id\": \"\" }", "ValidationFailed")]
    [InlineData("{ this is not json", "MalformedJson")]
    public async Task Invalid_event_file_moves_to_deadletter_with_a_reason_and_creates_nothing(string content, string reason)
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        await File.WriteAllTextAsync(InboxPath(folders, "bad.json"), content);

        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["bad.json"], result.DeadLettered);
        Assert.False(File.Exists(InboxPath(folders, "bad.json")));
        Assert.Equal(content, await File.ReadAllTextAsync(Path.Combine(folders.DeadLetter, "bad.json")));
        var why = await File.ReadAllTextAsync(Path.Combine(folders.DeadLetter, "bad.reason.txt"));
        Assert.Contains(reason, why, StringComparison.Ordinal);
        Assert.Empty(_store.AllConversations());
    }

    [Fact]
    public async Task Transient_failure_leaves_the_file_in_place_and_backs_off()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        var creates = 0;
        _store.Fault = method => method == nameof(IConversationStore.CreateIfNotExistsAsync) && ++creates > 0 ? new IOException("store down") : null;
        await File.WriteAllTextAsync(InboxPath(folders, "evt.json"), AssessmentTestKit.EventJson());

        var first = await inbox.ScanOnceAsync(CancellationToken.None);
        var second = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["evt.json"], first.Retrying);
        Assert.Equal(["evt.json"], second.Waiting);
        Assert.Equal(1, creates);
        Assert.True(File.Exists(InboxPath(folders, "evt.json")));
        Assert.Empty(Directory.GetFiles(folders.Processed));
        Assert.Empty(Directory.GetFiles(folders.DeadLetter));
    }

    [Fact]
    public async Task A_file_that_failed_transiently_is_processed_once_the_store_recovers()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root, new AssessmentInboxSettings { QuietPeriod = TimeSpan.Zero, RetryBaseDelay = TimeSpan.Zero });
        folders.EnsureCreated();
        _store.Fault = _ => new IOException("store down");
        await File.WriteAllTextAsync(InboxPath(folders, "evt.json"), AssessmentTestKit.EventJson());
        Assert.Equal(["evt.json"], (await inbox.ScanOnceAsync(CancellationToken.None)).Retrying);

        _store.Fault = null;
        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["evt.json"], result.Processed);
        Assert.True(File.Exists(Path.Combine(folders.Processed, "evt.json")));
        Assert.Single(_store.AllConversations());
    }

    [Fact]
    public async Task A_file_still_being_written_is_left_alone_until_it_stops_changing()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root, new AssessmentInboxSettings { QuietPeriod = TimeSpan.FromHours(1) });
        folders.EnsureCreated();
        var path = InboxPath(folders, "evt.json");
        var json = AssessmentTestKit.EventJson();
        await File.WriteAllTextAsync(path, json[..(json.Length / 2)]);

        var whileWriting = await inbox.ScanOnceAsync(CancellationToken.None);
        await File.AppendAllTextAsync(path, json[(json.Length / 2)..]);
        var justFinished = await inbox.ScanOnceAsync(CancellationToken.None);
        var settled = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["evt.json"], whileWriting.Waiting);
        Assert.Equal(["evt.json"], justFinished.Waiting);
        Assert.Equal(["evt.json"], settled.Processed);
        Assert.Empty(Directory.GetFiles(folders.DeadLetter));
    }

    [Fact]
    public async Task A_file_held_open_exclusively_by_its_writer_is_not_read()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        var path = InboxPath(folders, "evt.json");
        await File.WriteAllTextAsync(path, AssessmentTestKit.EventJson());

        InboxScanResult whileLocked;
        await using (new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            whileLocked = await inbox.ScanOnceAsync(CancellationToken.None);
        }

        var afterwards = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["evt.json"], whileLocked.Waiting);
        Assert.Equal(["evt.json"], afterwards.Processed);
    }

    [Fact]
    public async Task Temporary_and_non_json_files_are_ignored_so_write_then_rename_works()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        var temp = InboxPath(folders, "evt.json.tmp");
        await File.WriteAllTextAsync(temp, AssessmentTestKit.EventJson());

        var before = await inbox.ScanOnceAsync(CancellationToken.None);
        File.Move(temp, InboxPath(folders, "evt.json"));
        var after = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Empty(before.Processed.Concat(before.Waiting).Concat(before.DeadLettered));
        Assert.Equal(["evt.json"], after.Processed);
    }

    [Fact]
    public async Task Same_file_name_twice_never_overwrites_an_earlier_file()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        await File.WriteAllTextAsync(InboxPath(folders, "evt.json"), AssessmentTestKit.EventJson(assessmentId: "a"));
        await inbox.ScanOnceAsync(CancellationToken.None);
        await File.WriteAllTextAsync(InboxPath(folders, "evt.json"), AssessmentTestKit.EventJson(assessmentId: "b"));
        await inbox.ScanOnceAsync(CancellationToken.None);

        var processed = Directory.GetFiles(folders.Processed).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

        Assert.Equal(["evt.1.json", "evt.json"], processed);
        Assert.Equal(2, _store.AllConversations().Count);
    }

    [Fact]
    public async Task The_same_event_dropped_five_times_gives_one_conversation()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        for (var i = 0; i < 5; i++)
        {
            await File.WriteAllTextAsync(InboxPath(folders, $"copy{i}.json"), AssessmentTestKit.EventJson());
        }

        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(5, result.Processed.Count);
        Assert.Single(_store.AllConversations());
    }

    [Fact]
    public async Task An_unexpected_failure_on_one_file_does_not_stop_the_files_after_it()
    {
        var (inbox, folders) = AssessmentTestKit.FolderInbox(_store, _root);
        folders.EnsureCreated();
        await File.WriteAllTextAsync(InboxPath(folders, "bad.json"), "{ this is not json");
        File.SetLastWriteTimeUtc(InboxPath(folders, "bad.json"), DateTime.UtcNow.AddMinutes(-5));
        await File.WriteAllTextAsync(InboxPath(folders, "good.json"), AssessmentTestKit.EventJson());
        // A directory where the dead-letter reason file must go: writing the reason fails in a way nobody planned for.
        Directory.CreateDirectory(Path.Combine(folders.DeadLetter, "bad.reason.txt"));

        var result = await inbox.ScanOnceAsync(CancellationToken.None);

        Assert.Equal(["good.json"], result.Processed);
        Assert.Equal(["bad.json"], result.Retrying);
        Assert.True(File.Exists(Path.Combine(folders.DeadLetter, "bad.json")), "the bad event is kept, never lost");
        Assert.Single(_store.AllConversations());
    }
}
