using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.EndToEnd;

/// <summary>
/// Issue 10's duplicate file on the real local host: R's own FAQ (Debian r-doc-pdf, unpacked by
/// scripts/setup-test-deps.sh) under two names is listed twice, indexed once, never found in pairs, and stays searchable
/// whichever copy is deleted, through the API and through the drop folder.
/// </summary>
public sealed class DuplicateFileEndToEndTests : IDisposable
{
    private const string Question = "How can I install add-on packages from CRAN?";

    private readonly LocalHostFactory _host = new(new Dictionary<string, string?>
    {
        ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
        ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
        // The lexical embedder keeps a 100-page manual quick to index; these tests are about what is indexed, not ranking.
        ["RagFunctions:Embedding:Model"] = "lexical",
    });

    private string DropFolder => Path.Combine(_host.DataDirectory, "documents");

    public void Dispose() => _host.Dispose();

    [RFaqFact]
    public async Task The_same_manual_uploaded_under_two_names_is_indexed_once_and_survives_deleting_either_copy()
    {
        var client = _host.CreateWriterClient();
        var bytes = await File.ReadAllBytesAsync(RFaq.Path());

        var primaryId = await UploadAsync(client, "R-FAQ.pdf", bytes);
        var primary = await client.WaitForFinalStatusAsync(primaryId, TimeSpan.FromMinutes(3));
        Assert.Equal("indexed", primary.GetProperty("status").GetString());
        var chunks = primary.GetProperty("chunkCount").GetInt32();
        Assert.True(chunks > 10);

        var copyId = await UploadAsync(client, "R-FAQ-copy.pdf", bytes);
        var copy = await client.WaitForFinalStatusAsync(copyId, TimeSpan.FromMinutes(3));
        AssertDuplicate(copy, primaryId, "R-FAQ.pdf");

        // Both names are listed; search cites the primary only, never the pair.
        var listed = await ListAsync(client);
        Assert.Contains(primaryId, listed.Keys);
        Assert.Equal(primaryId, listed[copyId].GetProperty("duplicateOf").GetString());
        await AssertHitsOnlyFromAsync(client, primaryId);

        // Deleting the duplicate removes only its record.
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/documents/{copyId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/documents/{copyId}")).StatusCode);
        Assert.Equal(chunks, (await client.GetDocumentAsync(primaryId)).GetProperty("chunkCount").GetInt32());
        await AssertHitsOnlyFromAsync(client, primaryId);

        // Back again, and this time the primary goes: the copy is promoted and the content stays searchable.
        copyId = await UploadAsync(client, "R-FAQ-copy.pdf", bytes);
        AssertDuplicate(await client.WaitForFinalStatusAsync(copyId, TimeSpan.FromMinutes(3)), primaryId, "R-FAQ.pdf");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/documents/{primaryId}")).StatusCode);
        Assert.NotEmpty(await client.SearchAsync(Question, top: 10));

        var promoted = await WaitForPrimaryAsync(client, copyId);
        Assert.Equal(chunks, promoted.GetProperty("chunkCount").GetInt32());
        Assert.Equal("promoted: R-FAQ.pdf was deleted", promoted.GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/documents/{primaryId}")).StatusCode);
        await AssertHitsOnlyFromAsync(client, copyId);
    }

    [RFaqFact]
    public async Task Two_copies_dropped_at_once_end_as_one_indexed_and_one_duplicate_and_the_copy_takes_over_when_the_file_goes()
    {
        var client = _host.CreateWriterClient();
        Directory.CreateDirectory(DropFolder);
        // Written together: the local queue ingests two documents at once (MaxParallelDocuments 2).
        File.Copy(RFaq.Path(), Path.Combine(DropFolder, "refman.pdf"));
        File.Copy(RFaq.Path(), Path.Combine(DropFolder, "fullrefman.pdf"));
        var ids = new[] { "refman.pdf", "fullrefman.pdf" }.ToDictionary(DocumentIds.FromSourcePath, n => n);

        var records = new List<JsonElement>();
        foreach (var id in ids.Keys)
        {
            records.Add(await client.WaitForFinalStatusAsync(id, TimeSpan.FromMinutes(3)));
        }

        // Settled: one indexed primary, the other its duplicate (a step-down at completion may follow the first final status).
        await DocumentsClient.WaitUntilAsync(
            async () => (await ListAsync(client)).Values.Count(r => r.TryGetProperty("duplicateOf", out var d) && d.ValueKind == JsonValueKind.String) == 1,
            TimeSpan.FromMinutes(3));
        var listed = await ListAsync(client);
        var primary = Assert.Single(listed.Values, r => !IsDuplicate(r));
        var duplicate = Assert.Single(listed.Values, IsDuplicate);
        var primaryId = primary.GetProperty("id").GetString()!;
        AssertDuplicate(duplicate, primaryId, ids[primaryId]);
        await AssertHitsOnlyFromAsync(client, primaryId);

        // The primary's file leaves the folder: the duplicate becomes the indexed copy.
        File.Delete(Path.Combine(DropFolder, ids[primaryId]));
        var duplicateId = duplicate.GetProperty("id").GetString()!;
        await WaitForPrimaryAsync(client, duplicateId);
        await DocumentsClient.WaitUntilAsync(async () => (await client.GetAsync($"/api/documents/{primaryId}")).StatusCode == HttpStatusCode.NotFound);
        await AssertHitsOnlyFromAsync(client, duplicateId);
    }

    private static bool IsDuplicate(JsonElement record) =>
        record.TryGetProperty("duplicateOf", out var d) && d.ValueKind == JsonValueKind.String;

    private static void AssertDuplicate(JsonElement record, string primaryId, string primaryPath)
    {
        Assert.Equal("indexed", record.GetProperty("status").GetString());
        Assert.Equal(primaryId, record.GetProperty("duplicateOf").GetString());
        Assert.Equal(0, record.GetProperty("chunkCount").GetInt32());
        Assert.Equal($"same content as {primaryPath}; not indexed again", record.GetProperty("detail").GetString());
    }

    private static async Task<string> UploadAsync(HttpClient client, string name, byte[] bytes)
    {
        var response = await client.UploadAsync(name, bytes);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static async Task<Dictionary<string, JsonElement>> ListAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JsonElement>("/api/documents?limit=500");
        return page.GetProperty("documents").EnumerateArray().ToDictionary(d => d.GetProperty("id").GetString()!, d => d);
    }

    /// <summary>Waits until the promoted copy is indexed under its own id (no duplicateOf, chunks of its own).</summary>
    private static async Task<JsonElement> WaitForPrimaryAsync(HttpClient client, string id)
    {
        JsonElement record = default;
        await DocumentsClient.WaitUntilAsync(
            async () =>
            {
                record = await client.GetDocumentAsync(id);
                return record.GetProperty("status").GetString() == "indexed" && !IsDuplicate(record) && record.GetProperty("chunkCount").GetInt32() > 0;
            },
            TimeSpan.FromMinutes(3));
        return record;
    }

    private static async Task AssertHitsOnlyFromAsync(HttpClient client, string documentId)
    {
        var hits = await client.SearchAsync(Question, top: 10);
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.Equal(documentId, h.GetProperty("documentId").GetString()));
        // No pairs: every hit is a different chunk.
        Assert.Equal(hits.Length, hits.Select(h => h.GetProperty("id").GetString()).Distinct().Count());
    }
}

/// <summary>R's FAQ from Debian's r-doc-pdf, fetched into .cache by scripts/setup-test-deps.sh.</summary>
internal static class RFaq
{
    public const string RelativePath = ".cache/testdocs/r-doc-pdf/usr/share/R/doc/manual/R-FAQ.pdf";

    public static string Path() => System.IO.Path.Combine(RealDocuments.Root()!, RelativePath);

    public static bool Available() => RealDocuments.Root() is not null && File.Exists(Path());
}

/// <summary>A fact that needs <see cref="RFaq"/>: on CI (CI=true) a missing file fails the test; locally it is skipped.</summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class RFaqFactAttribute : FactAttribute
{
    public RFaqFactAttribute()
    {
        var onCi = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!onCi && !RFaq.Available())
        {
            Skip = $"{RFaq.RelativePath} is missing; run scripts/setup-test-deps.sh";
        }
    }
}
