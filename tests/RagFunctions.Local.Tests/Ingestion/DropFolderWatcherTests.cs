using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Moq;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Core.Ingestion.Duplicates;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class DropFolderWatcherTests : IDisposable
{
    private readonly LocalHostFactory _host = new(new Dictionary<string, string?> { ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2", ["RagFunctions:Ingestion:SettleMilliseconds"] = "50" });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_file_with_a_modification_time_in_the_future_is_still_ingested()
    {
        // Copies from a machine with a fast clock, archives and `touch -d` produce such files; they are not "being written".
        var client = _host.CreateWriterClient();
        var folder = Path.Combine(_host.DataDirectory, "documents");
        Directory.CreateDirectory(folder);
        var staging = Path.Combine(folder, ".staging.txt");
        await File.WriteAllTextAsync(staging, "Tomorrow's wombat feeding schedule.");
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddDays(1));
        File.Move(staging, Path.Combine(folder, "future.txt"));

        var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("future.txt"), TimeSpan.FromSeconds(20));

        Assert.Equal("indexed", record.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_uploaded_file_is_not_queued_again_by_the_watcher_but_a_real_re_drop_of_it_is_noted()
    {
        // The watcher first looks at a written file once it has settled (2 s here), long after the upload's own run ended.
        using var host = new LocalHostFactory(new Dictionary<string, string?>
        {
            ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2", ["RagFunctions:Ingestion:SettleMilliseconds"] = "2000",
        });
        var client = host.CreateWriterClient();
        var content = "Wombats dig burrows with their claws and teeth."u8.ToArray();
        var id = DocumentIds.FromSourcePath("burrows.txt");
        var response = await client.UploadAsync("burrows.txt", content);
        response.EnsureSuccessStatusCode();
        Assert.Equal("indexed", (await client.WaitForFinalStatusAsync(id, TimeSpan.FromSeconds(20))).GetProperty("status").GetString());

        // Watcher scans after the file settled see the file the upload wrote: the same write, not a new sighting.
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        var afterScans = await client.GetDocumentAsync(id);
        Assert.Equal(JsonValueKind.Null, afterScans.GetProperty("detail").ValueKind);

        // Someone copies the same bytes over it again (a new write): that is noticed and skipped, and says so.
        var path = Path.Combine(host.DataDirectory, "documents", "burrows.txt");
        await File.WriteAllBytesAsync(path, content);
        File.SetLastWriteTimeUtc(path, DateTime.UtcNow.AddSeconds(-5));
        await DocumentsClient.WaitUntilAsync(async () =>
            (await client.GetDocumentAsync(id)).GetProperty("detail").GetString()?.StartsWith("unchanged content", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_document_uploaded_while_a_scan_runs_is_not_removed_by_that_scan()
    {
        var directory = Path.Combine(_host.DataDirectory, "unit");
        var folder = new DropFolder(
            Options.Create(new IngestionOptions { DropFolder = Path.Combine(directory, "docs") }),
            Options.Create(new LocalHostOptions { DataDirectory = directory }));
        var catalog = new UploadDuringListCatalog(folder);
        var index = new Mock<ISearchIndex>();
        var intake = new IngestionIntake(catalog, index.Object, new DuplicateContent(
            catalog, index.Object, Mock.Of<IDocumentRequeue>(), TimeProvider.System, NullLogger<DuplicateContent>.Instance), TimeProvider.System, NullLogger<IngestionIntake>.Instance);
        var queue = new LocalIngestionQueue(
            folder, intake, new ServiceCollection().BuildServiceProvider(), Options.Create(new IngestionOptions()),
            new RagFunctions.Local.Storage.StorageFaults(TimeProvider.System, NullLogger<RagFunctions.Local.Storage.StorageFaults>.Instance), NullLogger<LocalIngestionQueue>.Instance);
        using var watcher = new DropFolderWatcher(
            folder, queue, catalog, intake, new DropFolderStamps(), Options.Create(new DropFolderWatchOptions()), TimeProvider.System, NullLogger<DropFolderWatcher>.Instance);

        // The upload lands after the scan listed the folder but before it read the catalog.
        await watcher.ScanAsync(CancellationToken.None);

        Assert.NotNull(await catalog.GetAsync(DocumentIds.FromSourcePath("fresh.txt"), CancellationToken.None));
        index.Verify(i => i.DeleteDocumentAsync(It.IsAny<string>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    /// <summary>An in-memory catalog whose first listing is preceded by an upload (file saved, record queued), as the drop box does it.</summary>
    private sealed class UploadDuringListCatalog(DropFolder folder) : IDocumentCatalog
    {
        private readonly Dictionary<string, DocumentRecord> _records = [];

        public Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken) =>
            Task.FromResult(_records.GetValueOrDefault(documentId));

        public async Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken)
        {
            if (_records.Count == 0)
            {
                var sourcePath = await folder.SaveAsync("fresh.txt", new MemoryStream("Freshly uploaded."u8.ToArray()), cancellationToken);
                var id = DocumentIds.FromSourcePath(sourcePath);
                _records[id] = new DocumentRecord(id, sourcePath, "fresh.txt", 17, "hash", DocumentStatus.Queued, null, 0, 0, DateTimeOffset.UtcNow, null, null, new Dictionary<string, double>());
            }

            return [.. _records.Values];
        }

        public Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken)
        {
            _records[record.Id] = record;
            return Task.CompletedTask;
        }

        public Task DeleteAsync(string documentId, CancellationToken cancellationToken)
        {
            _records.Remove(documentId);
            return Task.CompletedTask;
        }
    }
}
