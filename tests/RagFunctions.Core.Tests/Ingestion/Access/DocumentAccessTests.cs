using RagFunctions.Core.Common;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Ingestion.Access;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Core.Tests.Ingestion.Access;

public sealed class DocumentAccessTests
{
    private static CallerIdentity Caller(string user, params string[] groups) => new(user, null, groups, "test");

    [Theory]
    [InlineData("handbook.md", "", "")]
    [InlineData("folder/handbook.md", "", "")]
    [InlineData("users/alice/notes.md", "alice", "")]
    [InlineData("./users/alice/deep/notes.md", "alice", "")]
    [InlineData("groups/team/plan.md", "", "team")]
    [InlineData("groups/b+a/plan.md", "", "b|a")]
    [InlineData("users/notes.md", "", "")]
    [InlineData("Users/alice/notes.md", "", "")]
    public void Readers_follow_the_path_convention(string path, string owners, string groups)
    {
        var readers = DocumentAccess.ReadersOf(path);

        Assert.Equal(owners, string.Join('|', readers.OwnerIds));
        Assert.Equal(groups, string.Join('|', readers.GroupIds));
    }

    [Fact]
    public void A_user_id_equal_to_a_group_name_does_not_make_its_holder_a_member()
    {
        Assert.False(DocumentAccess.CanRead(Caller("team"), "groups/team/plan.md"));
        Assert.True(DocumentAccess.CanRead(Caller("bob", "team"), "groups/team/plan.md"));
        Assert.False(DocumentAccess.CanRead(Caller("team"), "users/alice/x.md"));
        Assert.True(DocumentAccess.CanRead(Caller("alice"), "users/alice/x.md"));
        Assert.True(DocumentAccess.CanRead(Caller("anyone"), "x.md"));
    }

    [Fact]
    public void The_record_exposes_its_readers()
    {
        var record = new DocumentRecord("doc-1", "groups/x+y/a.md", "a.md", 1, "h", DocumentStatus.Queued, null, 0, 0,
            DateTimeOffset.UnixEpoch, null, null, new Dictionary<string, double>());

        Assert.Empty(record.OwnerIds);
        Assert.Equal(["x", "y"], record.GroupIds);
    }

    [Fact]
    public void Upload_folders_are_checked_against_the_caller()
    {
        var alice = Caller("alice", "team", "ops");

        Assert.Equal("users/alice", DocumentAccess.UploadFolder(alice, DocumentVisibility.Private, []));
        Assert.Equal("", DocumentAccess.UploadFolder(alice, DocumentVisibility.Public, []));
        Assert.Equal("groups/ops+team", DocumentAccess.UploadFolder(alice, DocumentVisibility.Shared, ["team", "ops", "team"]));
        Assert.Throws<ForbiddenProblemException>(() => DocumentAccess.UploadFolder(alice, DocumentVisibility.Shared, ["finance"]));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.UploadFolder(alice, DocumentVisibility.Shared, []));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.UploadFolder(alice, DocumentVisibility.Private, ["team"]));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.UploadFolder(Caller("../x"), DocumentVisibility.Private, []));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.UploadFolder(Caller("a", "a/b"), DocumentVisibility.Shared, ["a/b"]));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.UploadFolder(Caller("a", "a+b"), DocumentVisibility.Shared, ["a+b"]));
        Assert.Throws<ValidationProblemException>(() => DocumentAccess.ParseVisibility("everyone"));
        Assert.Equal(DocumentVisibility.Private, DocumentAccess.ParseVisibility(null));
        Assert.Equal(["a", "b", "c"], DocumentAccess.ParseGroups(["a, b", "c", null]));
    }

    [Fact]
    public void Listing_pages_readable_documents_newest_first_without_gaps_or_repeats()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var records = Enumerable.Range(0, 7).Select(i => new DocumentRecord(
            $"doc-{i}", i % 3 == 0 ? $"users/bob/{i}.md" : $"{i}.md", $"{i}.md", 1, "h",
            i % 2 == 0 ? DocumentStatus.Indexed : DocumentStatus.Failed, null, 0, 0,
            start.AddMinutes(i / 2), null, null, new Dictionary<string, double>())).ToList();
        var alice = Caller("alice");

        var seen = new List<string>();
        string? after = null;
        do
        {
            var page = DocumentListing.Page(records, alice, null, 2, after);
            seen.AddRange(page.Documents.Select(d => d.Id));
            after = page.After;
        }
        while (after is not null);

        // doc-4 and doc-5 were queued in the same minute: ties go by id.
        Assert.Equal(["doc-4", "doc-5", "doc-2", "doc-1"], seen);
        Assert.Equal(["doc-4", "doc-2"], DocumentListing.Page(records, alice, DocumentStatus.Indexed, 10, null).Documents.Select(d => d.Id));
        Assert.Throws<ValidationProblemException>(() => DocumentListing.Page(records, alice, null, 2, "nonsense"));
    }
}
