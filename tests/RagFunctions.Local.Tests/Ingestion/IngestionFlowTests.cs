using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RagFunctions.Core.Ingestion.Catalog;
using RagFunctions.Local.Tests.Hosting;
using RagFunctions.Tests.Shared.Hostile;

namespace RagFunctions.Local.Tests.Ingestion;

public sealed class IngestionFlowTests : IDisposable
{
    private readonly LocalHostFactory _host = new(new Dictionary<string, string?> { ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2", ["RagFunctions:Ingestion:SettleMilliseconds"] = "50" });

    private string DropFolder => Path.Combine(_host.DataDirectory, "documents");

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task A_file_dropped_in_the_folder_becomes_searchable_with_its_metadata()
    {
        var client = _host.CreateWriterClient();
        var text = "# Lighthouse maintenance\n\nThe zanthoxylum lamp must be polished every Tuesday before the fog season begins.\n";
        Directory.CreateDirectory(DropFolder);
        await File.WriteAllTextAsync(Path.Combine(DropFolder, "lighthouse.md"), text);
        var id = DocumentIds.FromSourcePath("lighthouse.md");

        var record = await client.WaitForFinalStatusAsync(id);

        Assert.Equal("indexed", record.GetProperty("status").GetString());
        Assert.True(record.GetProperty("chunkCount").GetInt32() >= 1);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))), record.GetProperty("contentHash").GetString());
        Assert.True(record.GetProperty("stageMilliseconds").TryGetProperty("embed", out _));
        var hits = await client.SearchAsync("zanthoxylum lamp");
        var hit = Assert.Single(hits, h => h.GetProperty("documentId").GetString() == id);
        Assert.Contains("keyword", hit.GetProperty("foundBy").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("lighthouse.md", hit.GetProperty("sourcePath").GetString());
    }

    [Fact]
    public async Task A_pdf_dropped_with_default_settings_is_indexed_and_its_hits_carry_page_numbers()
    {
        var client = _host.CreateWriterClient();
        Directory.CreateDirectory(DropFolder);
        var firstPage = string.Join('\n', Enumerable.Range(1, 50).Select(i => $"Harbour pilot rota line {i}: pilots board ships beyond the breakwater at dawn."));
        var pdf = PdfFile.Text(firstPage, "The quillwort tide table is printed on the second page.");
        await File.WriteAllBytesAsync(Path.Combine(DropFolder, "harbour.pdf"), pdf);
        var id = DocumentIds.FromSourcePath("harbour.pdf");

        var record = await client.WaitForFinalStatusAsync(id);

        Assert.Equal("indexed", record.GetProperty("status").GetString());
        var hits = await client.SearchAsync("quillwort tide table");
        Assert.Equal(id, hits[0].GetProperty("documentId").GetString());
        Assert.Contains("quillwort", hits[0].GetProperty("content").GetString(), StringComparison.Ordinal);
        // A chunk carries the page it starts on: this one starts among page 1's lines and runs onto page 2.
        Assert.Equal(1, hits[0].GetProperty("page").GetInt32());
        Assert.All(hits, h => Assert.InRange(h.GetProperty("page").GetInt32(), 1, 2));
    }

    [Fact]
    public async Task Upload_answers_202_with_the_document_url_and_the_document_gets_indexed()
    {
        var client = _host.CreateWriterClient();
        var response = await client.UploadAsync("../../notes.txt", Encoding.UTF8.GetBytes("Quokkas are small marsupials found on Rottnest Island."));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = body.GetProperty("id").GetString()!;
        Assert.Equal($"/api/documents/{id}", response.Headers.Location?.OriginalString);
        // The client's path components are dropped: uploads cannot escape the drop folder.
        Assert.Equal("notes.txt", body.GetProperty("sourcePath").GetString());
        Assert.True(File.Exists(Path.Combine(DropFolder, "notes.txt")));

        var record = await client.WaitForFinalStatusAsync(id);
        Assert.Equal("indexed", record.GetProperty("status").GetString());
        Assert.Contains(await client.SearchAsync("quokkas Rottnest"), h => h.GetProperty("documentId").GetString() == id);
    }

    [Fact]
    public async Task Same_content_again_is_skipped_and_changed_content_replaces_all_chunks()
    {
        var client = _host.CreateWriterClient();
        var id = (await (await client.UploadAsync("policy.txt", Encoding.UTF8.GetBytes("The xylophagous beetle policy applies to every warehouse."))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var first = await client.WaitForFinalStatusAsync(id);
        var firstHash = first.GetProperty("contentHash").GetString();

        (await client.UploadAsync("policy.txt", Encoding.UTF8.GetBytes("The xylophagous beetle policy applies to every warehouse."), overwrite: true)).EnsureSuccessStatusCode();
        await DocumentsClient.WaitUntilAsync(async () => (await client.GetDocumentAsync(id)).TryGetProperty("detail", out var d) && d.GetString()?.Contains("skipped", StringComparison.Ordinal) == true);
        var skipped = await client.GetDocumentAsync(id);
        Assert.Equal("indexed", skipped.GetProperty("status").GetString());
        Assert.Equal(first.GetProperty("completedAt").GetString(), skipped.GetProperty("completedAt").GetString());

        (await client.UploadAsync("policy.txt", Encoding.UTF8.GetBytes("The revised policy now covers only the quarantined greenhouse."), overwrite: true)).EnsureSuccessStatusCode();
        var updated = await client.WaitForFinalStatusAsync(id, notHash: firstHash);
        Assert.Equal("indexed", updated.GetProperty("status").GetString());
        Assert.Contains(await client.SearchAsync("quarantined greenhouse"), h => h.GetProperty("documentId").GetString() == id);
        Assert.DoesNotContain(await client.SearchAsync("xylophagous beetle", top: 50), h => h.GetProperty("content").GetString()!.Contains("xylophagous", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Delete_removes_the_file_the_chunks_and_the_record()
    {
        var client = _host.CreateWriterClient();
        var id = (await (await client.UploadAsync("temp.md", Encoding.UTF8.GetBytes("Ephemeral glossolalia notes."))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await client.WaitForFinalStatusAsync(id);

        var response = await client.DeleteAsync($"/api/documents/{id}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.False(File.Exists(Path.Combine(DropFolder, "temp.md")));
        Assert.DoesNotContain(await client.SearchAsync("glossolalia"), h => h.GetProperty("documentId").GetString() == id);
        var gone = await client.GetAsync($"/api/documents/{id}");
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("application/problem+json", gone.Content.Headers.ContentType?.MediaType);
        Assert.Equal("/problems/not-found", (await gone.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_file_removed_from_the_folder_has_its_document_removed()
    {
        var client = _host.CreateWriterClient();
        Directory.CreateDirectory(DropFolder);
        var path = Path.Combine(DropFolder, "gone.txt");
        await File.WriteAllTextAsync(path, "Perihelion calendars are kept in the east archive.");
        var id = DocumentIds.FromSourcePath("gone.txt");
        await client.WaitForFinalStatusAsync(id);

        File.Delete(path);

        await DocumentsClient.WaitUntilAsync(async () => (await client.GetAsync($"/api/documents/{id}")).StatusCode == HttpStatusCode.NotFound);
        Assert.DoesNotContain(await client.SearchAsync("perihelion calendars"), h => h.GetProperty("documentId").GetString() == id);
    }

    [Fact]
    public async Task A_corrupt_file_fails_with_a_reason_while_the_good_one_next_to_it_is_indexed()
    {
        var client = _host.CreateWriterClient();
        Directory.CreateDirectory(DropFolder);
        await File.WriteAllBytesAsync(Path.Combine(DropFolder, "broken.docx"), RandomNumberGenerator.GetBytes(4096));
        await File.WriteAllTextAsync(Path.Combine(DropFolder, "fine.txt"), "Orrery gears need lubrication twice a year.");

        var broken = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("broken.docx"));
        var fine = await client.WaitForFinalStatusAsync(DocumentIds.FromSourcePath("fine.txt"));

        Assert.Equal("failed", broken.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(broken.GetProperty("failureReason").GetString()));
        Assert.Equal("indexed", fine.GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/health")).StatusCode);
    }

    [Fact]
    public async Task Upload_limits_and_media_type_are_enforced_with_problem_details()
    {
        using var small = new LocalHostFactory(new Dictionary<string, string?> { ["RagFunctions:Ingestion:MaxUploadBytes"] = "1000" });
        var client = small.CreateWriterClient();

        var tooLarge = await client.UploadAsync("big.txt", Encoding.UTF8.GetBytes(new string('a', 5000)));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
        Assert.Equal("/problems/payload-too-large", (await tooLarge.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());

        var wrongType = await client.PostAsync("/api/documents", new StringContent("hello", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);

        var empty = await client.UploadAsync("empty.txt", []);
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);

        var temporary = await client.UploadAsync("draft.docx.tmp", Encoding.UTF8.GetBytes("half written"));
        Assert.Equal(HttpStatusCode.BadRequest, temporary.StatusCode);
        Assert.Equal("/problems/validation", (await temporary.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(small.DataDirectory, "documents")));
    }

    [Fact]
    public async Task Documents_and_chunks_survive_a_restart()
    {
        string id;
        using (var first = new LocalHostFactory(dataDirectory: _host.DataDirectory))
        {
            var client = first.CreateWriterClient();
            id = (await (await client.UploadAsync("durable.md", Encoding.UTF8.GetBytes("# Archive\n\nThe palimpsest collection is stored in vault seven."))).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
            await client.WaitForFinalStatusAsync(id);
        }

        using var second = new LocalHostFactory(dataDirectory: _host.DataDirectory);
        var restarted = second.CreateWriterClient();
        Assert.Equal("indexed", (await restarted.GetDocumentAsync(id)).GetProperty("status").GetString());
        Assert.Contains(await restarted.SearchAsync("palimpsest vault"), h => h.GetProperty("documentId").GetString() == id);
    }

    [Fact]
    public async Task Health_reports_ready_with_store_and_index()
    {
        var health = await _host.CreateClient().GetFromJsonAsync<JsonElement>("/api/health");

        Assert.Equal("ready", health.GetProperty("status").GetString());
        Assert.StartsWith("sqlite:", health.GetProperty("historyStore").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(health.GetProperty("index").GetProperty("engine").GetString()));
    }

    [Fact]
    public async Task Search_validates_its_parameters()
    {
        var client = _host.CreateWriterClient();
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync("/api/search?q=")).StatusCode);
        var badTop = await client.GetAsync("/api/search?q=x&top=500");
        Assert.Equal(HttpStatusCode.BadRequest, badTop.StatusCode);
        Assert.Equal("/problems/validation", (await badTop.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }
}
