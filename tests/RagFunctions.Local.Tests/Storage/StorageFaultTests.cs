using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Ingestion;
using RagFunctions.Local.Storage;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Storage;

/// <summary>Issue 11's storage probes. The tests run as root here, so file permissions cannot make the database
/// unwritable; a catalog that fails exactly as SQLite does on a read-only file (SQLITE_READONLY, code 8) stands in.</summary>
public sealed class StorageFaultTests
{
    [Fact]
    public async Task An_unwritable_store_answers_503_problem_with_the_cause_and_health_reports_degraded()
    {
        using var root = new LocalHostFactory();
        using var host = root.WithWebHostBuilder(b => b.ConfigureTestServices(s =>
            s.AddSingleton<IDocumentCatalog>(sp => new ReadOnlyCatalog(new SqliteDocumentCatalog(sp.GetRequiredService<SqliteDatabase>())))));
        var client = host.CreateWriterClient();

        var upload = await client.UploadAsync("note.txt", "Cormorants dry their wings on the pier."u8.ToArray());

        Assert.Equal(HttpStatusCode.ServiceUnavailable, upload.StatusCode);
        Assert.Equal("application/problem+json", upload.Content.Headers.ContentType?.MediaType);
        var problem = await upload.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/storage-unavailable", problem.GetProperty("type").GetString());
        Assert.Contains("read-only", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.NotNull(upload.Headers.RetryAfter);

        var health = await client.GetFromJsonAsync<JsonElement>("/api/health");
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        Assert.Contains("read-only", health.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_data_folder_that_cannot_be_used_stops_the_host_at_start_up_with_a_clear_message()
    {
        // A plain file where the data folder should be: nothing can be created in it, whoever runs the host.
        var blocked = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path.GetDirectoryName(blocked)!);
        File.WriteAllText(blocked, "not a folder");
        using var root = new LocalHostFactory();
        using var host = root.WithWebHostBuilder(b => b.UseSetting("RagFunctions:Local:DataDirectory", blocked));

        var failure = Assert.Throws<InvalidOperationException>(() => host.CreateClient());

        Assert.Contains(blocked, failure.Message, StringComparison.Ordinal);
        Assert.Contains("RagFunctions:Local:DataDirectory", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Storage_causes_are_recognised_and_other_errors_are_not()
    {
        Assert.Contains("read-only", StorageFaults.CauseOf(new SqliteException("attempt to write a readonly database", 8)), StringComparison.Ordinal);
        Assert.Contains("full", StorageFaults.CauseOf(new InvalidOperationException("wrapped", new SqliteException("database or disk is full", 13))), StringComparison.Ordinal);
        Assert.Null(StorageFaults.CauseOf(new InvalidOperationException("a bug")));
    }

    private sealed class ReadOnlyCatalog(IDocumentCatalog inner) : IDocumentCatalog
    {
        public Task<DocumentRecord?> GetAsync(string documentId, CancellationToken cancellationToken) => inner.GetAsync(documentId, cancellationToken);

        public Task<IReadOnlyList<DocumentRecord>> ListAsync(CancellationToken cancellationToken) => inner.ListAsync(cancellationToken);

        public Task UpsertAsync(DocumentRecord record, CancellationToken cancellationToken) =>
            throw new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", 8);

        public Task DeleteAsync(string documentId, CancellationToken cancellationToken) => inner.DeleteAsync(documentId, cancellationToken);
    }
}
