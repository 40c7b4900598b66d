using System.Text;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Storage;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class TransientFailureTests
{
    [Fact]
    public async Task A_dropped_file_whose_first_run_fails_before_the_workflow_starts_is_retried_and_indexed()
    {
        using var root = new LocalHostFactory(new Dictionary<string, string?> { ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2", ["RagFunctions:Ingestion:SettleMilliseconds"] = "50" });
        FlakyCatalog? catalog = null;
        using var host = root.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<IDocumentCatalog>(sp => catalog = new FlakyCatalog(new SqliteDocumentCatalog(sp.GetRequiredService<SqliteDatabase>())))));
        var client = host.CreateWriterClient();
        var folder = Path.Combine(root.DataDirectory, "documents");
        Directory.CreateDirectory(folder);

        // The first catalog read fails as a busy database would; the file itself never changes afterwards.
        await File.WriteAllTextAsync(Path.Combine(folder, "retry.txt"), "Heliotrope gardens bloom in the late afternoon.", Encoding.UTF8);

        var record = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("retry.txt"));
        Assert.Equal("indexed", record.GetProperty("status").GetString());
        Assert.True(catalog!.Failures >= 1);
    }

    private sealed class FlakyCatalog(IDocumentCatalog inner) : IDocumentCatalog
    {
        private int _failuresLeft = 1;

        public int Failures { get; private set; }

        public Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _failuresLeft, 0) == 1)
            {
                Failures++;
                throw new InvalidOperationException("database is locked");
            }

            return inner.GetAsync(documentId, cancellationToken);
        }

        public Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken) => inner.UpsertAsync(record, cancellationToken);

        public Task DeleteAsync(string documentId, CancellationToken cancellationToken) => inner.DeleteAsync(documentId, cancellationToken);
    }
}
