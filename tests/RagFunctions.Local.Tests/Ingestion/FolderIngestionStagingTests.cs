using Microsoft.Extensions.Options;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Ingestion;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class FolderIngestionStagingTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "ragfunctions-staging-" + Guid.NewGuid().ToString("N"));

    [Fact]
    public async Task Items_are_written_replaced_read_and_deleted_with_their_run_only()
    {
        var staging = new FolderIngestionStaging(Options.Create(new LocalHostOptions { DataDirectory = _directory }));

        await staging.PutAsync("run-a", "chunks-0", new byte[] { 1, 2, 3 }, CancellationToken.None);
        await staging.PutAsync("run-a", "chunks-0", new byte[] { 4, 5 }, CancellationToken.None);
        await staging.PutAsync("run-b", "chunks-0", new byte[] { 9 }, CancellationToken.None);

        Assert.Equal(new byte[] { 4, 5 }, await staging.GetAsync("run-a", "chunks-0", CancellationToken.None));
        Assert.Null(await staging.GetAsync("run-a", "vectors-0", CancellationToken.None));
        Assert.Null(await staging.GetAsync("run-c", "chunks-0", CancellationToken.None));
        Assert.Equal(["chunks-0"], Directory.GetFiles(Path.Combine(staging.Root, "run-a")).Select(Path.GetFileName));

        await staging.DeleteRunAsync("run-a", CancellationToken.None);
        await staging.DeleteRunAsync("run-a", CancellationToken.None);

        Assert.Null(await staging.GetAsync("run-a", "chunks-0", CancellationToken.None));
        Assert.Equal(new byte[] { 9 }, await staging.GetAsync("run-b", "chunks-0", CancellationToken.None));
    }

    [Fact]
    public async Task A_run_id_that_would_leave_the_staging_folder_is_refused()
    {
        var staging = new FolderIngestionStaging(Options.Create(new LocalHostOptions { DataDirectory = _directory }));

        await Assert.ThrowsAnyAsync<ArgumentException>(() => staging.PutAsync("../outside", "x", new byte[] { 1 }, CancellationToken.None));
        await Assert.ThrowsAnyAsync<ArgumentException>(() => staging.DeleteRunAsync("..", CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_directory, "outside")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
