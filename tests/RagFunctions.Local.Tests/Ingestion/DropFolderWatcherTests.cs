using RagFunctions.Core.Ingestion.Catalog;
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
        var client = _host.CreateClient();
        var folder = Path.Combine(_host.DataDirectory, "documents");
        Directory.CreateDirectory(folder);
        var staging = Path.Combine(folder, ".staging.txt");
        await File.WriteAllTextAsync(staging, "Tomorrow's wombat feeding schedule.");
        File.SetLastWriteTimeUtc(staging, DateTime.UtcNow.AddDays(1));
        File.Move(staging, Path.Combine(folder, "future.txt"));

        var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("future.txt"), TimeSpan.FromSeconds(20));

        Assert.Equal("indexed", record.GetProperty("status").GetString());
    }
}
