using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Duplicates;
using RagFunctions.Core.Ingestion.Workflow;

namespace RagFunctions.Core.Tests.Ingestion.Duplicates;

/// <summary>Byte-identical content under a second name is indexed once; deleting or editing either copy keeps the other searchable.</summary>
public sealed class DuplicateContentTests
{
    private const string Faq = """
        # Frequently asked questions

        ## Installing packages

        Packages are installed with install.packages. The zebrafish mirror holds every release of the archive, and a
        local library can be chosen with the lib argument when the system library is not writable.
        """;

    private const string Changelog = """
        # Changes

        The kingfisher release fixes the build on systems without a Fortran compiler.
        """;

    [Fact]
    public async Task A_second_name_with_the_same_bytes_is_recorded_as_a_duplicate_and_not_indexed_again()
    {
        using var host = new DuplicateHarness();
        var first = await host.DropAsync("faq.md", Faq);
        var second = await host.DropAsync("copy-of-faq.md", Faq);

        Assert.Equal(IngestionOutcomeKind.Indexed, first!.Kind);
        Assert.Equal(IngestionOutcomeKind.Duplicate, second!.Kind);
        var primary = host.Record("faq.md");
        var duplicate = host.Record("copy-of-faq.md");
        Assert.Null(primary.DuplicateOf);
        Assert.True(primary.ChunkCount > 0);
        Assert.Equal(DocumentStatus.Indexed, duplicate.Status);
        Assert.Equal(primary.Id, duplicate.DuplicateOf);
        Assert.Equal(0, duplicate.ChunkCount);
        Assert.Equal("same content as faq.md; not indexed again", duplicate.Detail);
        // Search finds the content once, under the primary: no pairs.
        Assert.Equal([primary.Id], host.Index.DocumentIds);
        Assert.All(host.Index.Find("zebrafish"), path => Assert.Equal("faq.md", path));
        Assert.True(host.Catalog.HashLookups > 0);
    }

    [Fact]
    public async Task Seeing_the_unchanged_duplicate_again_runs_nothing()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);

        Assert.Null(await host.IngestAsync("copy-of-faq.md"));
        Assert.Null(await host.IngestAsync("faq.md"));
        Assert.Equal(host.Record("faq.md").Id, host.Record("copy-of-faq.md").DuplicateOf);
        Assert.Equal("same content as faq.md; not indexed again", host.Record("copy-of-faq.md").Detail);
    }

    [Fact]
    public async Task Deleting_the_duplicate_removes_only_its_record()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);
        var chunks = host.Index.ChunksOf(host.Record("faq.md").Id);

        await host.DeleteAsync("copy-of-faq.md");

        Assert.Null(host.Catalog.Get(DocumentIds.FromSourcePath("copy-of-faq.md")));
        Assert.Equal(DocumentStatus.Indexed, host.Record("faq.md").Status);
        Assert.Equal(chunks, host.Index.ChunksOf(host.Record("faq.md").Id));
        Assert.Empty(host.Requeued.Paths);
    }

    [Fact]
    public async Task Deleting_the_primary_promotes_the_duplicate_and_the_content_stays_searchable_throughout()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);
        var oldId = host.Record("faq.md").Id;

        await host.DeleteAsync("faq.md");

        // Between the deletion and the promoted copy's run: the old chunks still answer, the copy is queued to take over.
        Assert.Null(host.Catalog.Get(oldId));
        var promoted = host.Record("copy-of-faq.md");
        Assert.Equal(DocumentStatus.Queued, promoted.Status);
        Assert.Null(promoted.DuplicateOf);
        Assert.Equal(oldId, promoted.PromotedFrom);
        Assert.Equal(["copy-of-faq.md"], host.Requeued.Paths);
        Assert.NotEmpty(host.Index.Find("zebrafish"));

        // The deletion is seen a second time (watcher after an API delete, or the BlobDeleted event): the chunks stay.
        await host.Intake.RemoveBySourcePathAsync("faq.md", CancellationToken.None);
        Assert.NotEmpty(host.Index.Find("zebrafish"));
        Assert.Equal(["copy-of-faq.md"], host.Requeued.Paths);

        await host.DrainRequeuedAsync();

        promoted = host.Record("copy-of-faq.md");
        Assert.Equal(DocumentStatus.Indexed, promoted.Status);
        Assert.True(promoted.ChunkCount > 0);
        Assert.Null(promoted.PromotedFrom);
        Assert.Equal("promoted: faq.md was deleted", promoted.Detail);
        Assert.Null(await host.IngestAsync("copy-of-faq.md"));
        Assert.Equal("promoted: faq.md was deleted", host.Record("copy-of-faq.md").Detail);
        Assert.Equal([promoted.Id], host.Index.DocumentIds);
        Assert.NotEmpty(host.Index.Find("zebrafish"));
        Assert.All(host.Index.Find("zebrafish"), path => Assert.Equal("copy-of-faq.md", path));
    }

    [Fact]
    public async Task Deleting_a_primary_with_two_duplicates_promotes_one_and_the_other_follows_it()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-1.md", Faq);
        await host.DropAsync("copy-2.md", Faq);

        await host.DeleteAsync("faq.md");
        await host.DrainRequeuedAsync();

        var records = new[] { host.Record("copy-1.md"), host.Record("copy-2.md") };
        var primary = Assert.Single(records, r => r.DuplicateOf is null);
        var follower = Assert.Single(records, r => r.DuplicateOf is not null);
        Assert.Equal(records.Select(r => r.Id).Order(StringComparer.Ordinal).First(), primary.Id);
        Assert.Equal(primary.Id, follower.DuplicateOf);
        Assert.Equal([primary.Id], host.Index.DocumentIds);
    }

    [Fact]
    public async Task Editing_the_primary_promotes_the_duplicate_which_keeps_the_old_content_searchable()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);

        await host.DropAsync("faq.md", Changelog);
        Assert.Equal(["copy-of-faq.md"], host.Requeued.Paths);
        await host.DrainRequeuedAsync();

        Assert.Null(host.Record("copy-of-faq.md").DuplicateOf);
        Assert.Equal(DocumentStatus.Indexed, host.Record("copy-of-faq.md").Status);
        Assert.Equal("promoted: faq.md changed", host.Record("copy-of-faq.md").Detail);
        Assert.Equal(DocumentStatus.Indexed, host.Record("faq.md").Status);
        Assert.All(host.Index.Find("zebrafish"), path => Assert.Equal("copy-of-faq.md", path));
        Assert.NotEmpty(host.Index.Find("zebrafish"));
        Assert.All(host.Index.Find("kingfisher"), path => Assert.Equal("faq.md", path));
        Assert.NotEmpty(host.Index.Find("kingfisher"));
    }

    [Fact]
    public async Task Editing_the_duplicate_makes_it_an_ordinary_document()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);

        var outcome = await host.DropAsync("copy-of-faq.md", Changelog);

        Assert.Equal(IngestionOutcomeKind.Indexed, outcome!.Kind);
        var edited = host.Record("copy-of-faq.md");
        Assert.Null(edited.DuplicateOf);
        Assert.True(edited.ChunkCount > 0);
        Assert.All(host.Index.Find("kingfisher"), path => Assert.Equal("copy-of-faq.md", path));
        Assert.All(host.Index.Find("zebrafish"), path => Assert.Equal("faq.md", path));
        Assert.Empty(host.Requeued.Paths);
    }

    [Fact]
    public async Task Copies_with_different_readers_are_indexed_separately()
    {
        using var host = new DuplicateHarness();
        var alice = await host.DropAsync("users/alice/faq.md", Faq);
        var bob = await host.DropAsync("users/bob/faq.md", Faq);
        var everyone = await host.DropAsync("faq.md", Faq);

        Assert.All([alice, bob, everyone], o => Assert.Equal(IngestionOutcomeKind.Indexed, o!.Kind));
        Assert.Equal(3, host.Index.DocumentIds.Count);
        Assert.All(host.Catalog.All, r => Assert.Null(r.DuplicateOf));
    }

    [Fact]
    public async Task The_same_groups_in_another_order_are_the_same_readers()
    {
        using var host = new DuplicateHarness();
        await host.DropAsync("groups/team-a+team-b/faq.md", Faq);
        var second = await host.DropAsync("groups/team-b+team-a/faq.md", Faq);

        Assert.Equal(IngestionOutcomeKind.Duplicate, second!.Kind);
        Assert.True(DuplicateContent.SameReaders("groups/team-a+team-b/x", "groups/team-b+team-a/y"));
        Assert.False(DuplicateContent.SameReaders("groups/team-a/x", "groups/team-a+team-b/y"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Two_identical_files_ingested_at_once_end_with_one_indexed_and_one_duplicate(bool higherIdFirst)
    {
        // Both runs pass begin before either extracts: each sees the other in progress, and the id decides.
        using var host = new DuplicateHarness();
        string[] paths = ["one.md", "two.md"];
        var ordered = paths.OrderBy(p => DocumentIds.FromSourcePath(p), StringComparer.Ordinal).ToArray();
        var (first, second) = higherIdFirst ? (ordered[1], ordered[0]) : (ordered[0], ordered[1]);
        host.Files.Put(first, Faq);
        host.Files.Put(second, Faq);
        var gate = new TaskCompletionSource();

        var runFirst = host.IngestAsync(first, gate.Task);
        var runSecond = host.IngestAsync(second, gate.Task);
        await Task.Delay(50);
        gate.SetResult();
        await Task.WhenAll(runFirst, runSecond);

        AssertOnePrimary(host, ordered[0], ordered[1]);
    }

    [Fact]
    public async Task Identical_files_racing_without_coordination_never_end_as_two_primaries_or_two_duplicates()
    {
        for (var round = 0; round < 20; round++)
        {
            using var host = new DuplicateHarness();
            host.Files.Put("one.md", Faq);
            host.Files.Put("two.md", Faq);

            await Task.WhenAll(Task.Run(() => host.IngestAsync("one.md")), Task.Run(() => host.IngestAsync("two.md")));

            var ordered = new[] { "one.md", "two.md" }.OrderBy(p => DocumentIds.FromSourcePath(p), StringComparer.Ordinal).ToArray();
            var records = ordered.Select(host.Record).ToArray();
            var primary = Assert.Single(records, r => r.DuplicateOf is null);
            Assert.Equal(primary.Id, Assert.Single(records, r => r.DuplicateOf is not null).DuplicateOf);
            Assert.Equal([primary.Id], host.Index.DocumentIds);
        }
    }

    [Fact]
    public async Task A_duplicate_whose_primary_vanished_is_ingested_at_its_next_sighting()
    {
        // A crash after the primary's record was deleted but before the copy was promoted leaves this state.
        using var host = new DuplicateHarness();
        await host.DropAsync("faq.md", Faq);
        await host.DropAsync("copy-of-faq.md", Faq);
        await host.Catalog.DeleteAsync(host.Record("faq.md").Id, CancellationToken.None);

        var outcome = await host.IngestAsync("copy-of-faq.md");

        Assert.Equal(IngestionOutcomeKind.Indexed, outcome!.Kind);
        Assert.Null(host.Record("copy-of-faq.md").DuplicateOf);
        Assert.True(host.Record("copy-of-faq.md").ChunkCount > 0);
    }

    [Fact]
    public async Task A_primary_that_fails_takes_its_duplicates_with_it()
    {
        using var host = new DuplicateHarness();
        host.Files.Put("empty.md", "   ");
        host.Files.Put("empty-copy.md", "   ");
        var gate = new TaskCompletionSource();
        var ordered = new[] { "empty.md", "empty-copy.md" }.OrderBy(p => DocumentIds.FromSourcePath(p), StringComparer.Ordinal).ToArray();

        // The lower id begins first and is held; the other becomes its duplicate; then the primary fails.
        var primaryRun = host.IngestAsync(ordered[0], gate.Task);
        await Task.Delay(50);
        var duplicate = await host.IngestAsync(ordered[1]);
        gate.SetResult();
        await primaryRun;

        Assert.Equal(IngestionOutcomeKind.Duplicate, duplicate!.Kind);
        Assert.All(ordered.Select(host.Record), r =>
        {
            Assert.Equal(DocumentStatus.Failed, r.Status);
            Assert.Null(r.DuplicateOf);
        });
    }

    private static void AssertOnePrimary(DuplicateHarness host, string lowerId, string higherId)
    {
        var primary = host.Record(lowerId);
        var duplicate = host.Record(higherId);
        Assert.Null(primary.DuplicateOf);
        Assert.Equal(DocumentStatus.Indexed, primary.Status);
        Assert.True(primary.ChunkCount > 0);
        Assert.Equal(primary.Id, duplicate.DuplicateOf);
        Assert.Equal(DocumentStatus.Indexed, duplicate.Status);
        Assert.Equal(0, duplicate.ChunkCount);
        Assert.Equal([primary.Id], host.Index.DocumentIds);
    }
}
