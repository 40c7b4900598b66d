using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Security;

/// <summary>
/// Uploads never clobber silently, on the real local host (drop folder, SQLite catalog, local index): a second upload of an
/// existing name is a 409 that keeps the first document; <c>overwrite=true</c> or <c>If-Match</c> with the current ETag
/// replaces it; a stale <c>If-Match</c> is a 412.
/// </summary>
public sealed class UploadReplaceTests : IDisposable
{
    private readonly LocalHostFactory _host = new(new Dictionary<string, string?>
    {
        ["RagFunctions:Ingestion:ScanIntervalSeconds"] = "0.2",
        ["RagFunctions:Ingestion:SettleMilliseconds"] = "50",
    });

    private static readonly byte[] Original = Encoding.UTF8.GetBytes("# Ferries\n\nThe albatross ferry leaves the harbour at dawn every Tuesday.");
    private static readonly byte[] Replacement = Encoding.UTF8.GetBytes("# Ferries\n\nThe pelican ferry now leaves the harbour at noon every Friday.");

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Second_upload_of_the_same_name_is_409_and_keeps_the_original()
    {
        var writer = _host.CreateWriterClient();
        var (id, etag) = await UploadIndexedAsync(writer, "ferries.md", Original);

        var again = await writer.UploadAsync("ferries.md", Replacement);

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal("application/problem+json", again.Content.Headers.ContentType?.MediaType);
        var problem = await again.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("/problems/document-exists", problem.GetProperty("type").GetString());
        Assert.Equal(id, problem.GetProperty("documentId").GetString());
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains(id, detail, StringComparison.Ordinal);
        Assert.Contains("If-Match", detail, StringComparison.Ordinal);
        Assert.Contains("overwrite=true", detail, StringComparison.Ordinal);

        Assert.Equal(Original, await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "documents", "ferries.md")));
        var record = await writer.GetAsync($"/api/documents/{id}");
        Assert.Equal(etag, record.Headers.ETag?.Tag);
        Assert.Equal(Hash(Original), (await record.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("contentHash").GetString());
        Assert.NotEmpty(await writer.SearchAsync("albatross ferry"));
    }

    [Fact]
    public async Task Overwrite_true_replaces_the_content()
    {
        var writer = _host.CreateWriterClient();
        var (id, _) = await UploadIndexedAsync(writer, "ferries.md", Original);

        using var response = await PostAsync(writer, "ferries.md", Replacement, overwrite: "true");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"\"{Hash(Replacement)}\"", response.Headers.ETag?.Tag);
        Assert.Equal(id, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());
        var done = await writer.WaitForFinalStatusAsync(id, notHash: Hash(Original));
        Assert.Equal("indexed", done.GetProperty("status").GetString());
        Assert.Equal(Hash(Replacement), done.GetProperty("contentHash").GetString());
        Assert.Equal(Replacement, await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "documents", "ferries.md")));
        Assert.Contains(await writer.SearchAsync("pelican ferry noon"), h => h.GetProperty("documentId").GetString() == id);
    }

    [Fact]
    public async Task If_Match_with_the_current_ETag_replaces_the_content()
    {
        var writer = _host.CreateWriterClient();
        var (id, etag) = await UploadIndexedAsync(writer, "ferries.md", Original);

        using var response = await PostAsync(writer, "ferries.md", Replacement, ifMatch: etag);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var done = await writer.WaitForFinalStatusAsync(id, notHash: Hash(Original));
        Assert.Equal(Hash(Replacement), done.GetProperty("contentHash").GetString());
        Assert.Equal(Replacement, await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "documents", "ferries.md")));
    }

    [Fact]
    public async Task If_Match_with_a_stale_ETag_is_412_and_keeps_the_content()
    {
        var writer = _host.CreateWriterClient();
        var (id, staleEtag) = await UploadIndexedAsync(writer, "ferries.md", Original);
        using (var replaced = await PostAsync(writer, "ferries.md", Replacement, overwrite: "true"))
        {
            Assert.Equal(HttpStatusCode.Accepted, replaced.StatusCode);
        }

        await writer.WaitForFinalStatusAsync(id, notHash: Hash(Original));

        using var response = await PostAsync(writer, "ferries.md", Original, ifMatch: staleEtag);

        Assert.Equal(HttpStatusCode.PreconditionFailed, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal($"\"{Hash(Replacement)}\"", problem.GetProperty("etag").GetString());
        Assert.Equal(Replacement, await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "documents", "ferries.md")));
        Assert.Equal(Hash(Replacement), (await writer.GetDocumentAsync(id)).GetProperty("contentHash").GetString());
    }

    [Fact]
    public async Task Parallel_uploads_of_one_new_name_store_it_once_and_the_others_get_409()
    {
        const int uploads = 8;
        var contents = Enumerable.Range(1, uploads)
            .Select(i => Encoding.UTF8.GetBytes($"# Herons\n\nTimetable {i}: the heron ferry leaves the harbour at {i} o'clock."))
            .ToList();
        var writers = contents.Select(_ => _host.CreateWriterClient()).ToList();
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // All requests are built first and released together, so their catalog checks overlap before any file is written.
        var racing = contents.Select(async (content, i) =>
        {
            await go.Task;
            return await PostAsync(writers[i], "herons.md", content);
        }).ToList();
        go.SetResult();
        var responses = await Task.WhenAll(racing);

        var accepted = Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.All(responses.Where(r => r != accepted), r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));
        foreach (var refused in responses.Where(r => r != accepted))
        {
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            var problem = await refused.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("/problems/document-exists", problem.GetProperty("type").GetString());
            Assert.Equal("herons.md", problem.GetProperty("sourcePath").GetString());
        }

        // The stored file and the indexed document are the winner's bytes, whole (no other upload replaced or mixed into them).
        var winner = contents.Single(c => accepted.Headers.ETag?.Tag == $"\"{Hash(c)}\"");
        var id = (await accepted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(winner, await File.ReadAllBytesAsync(Path.Combine(_host.DataDirectory, "documents", "herons.md")));
        var done = await writers[0].WaitForFinalStatusAsync(id);
        Assert.Equal("indexed", done.GetProperty("status").GetString());
        Assert.Equal(Hash(winner), done.GetProperty("contentHash").GetString());
        Assert.Empty(Directory.GetFiles(Path.Combine(_host.DataDirectory, "documents"), "*.tmp"));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    private static async Task<(string Id, string ETag)> UploadIndexedAsync(HttpClient writer, string name, byte[] content)
    {
        var first = await writer.UploadAsync(name, content);
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        var id = (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal($"\"{Hash(content)}\"", first.Headers.ETag?.Tag);
        Assert.Equal("indexed", (await writer.WaitForFinalStatusAsync(id)).GetProperty("status").GetString());
        var read = await writer.GetAsync($"/api/documents/{id}");
        Assert.Equal($"\"{Hash(content)}\"", read.Headers.ETag?.Tag);
        return (id, read.Headers.ETag!.Tag);
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string name, byte[] content, string? overwrite = null, string? ifMatch = null)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        form.Add(new StringContent("public"), "visibility");
        if (overwrite is not null)
        {
            form.Add(new StringContent(overwrite), "overwrite");
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/documents") { Content = form };
        if (ifMatch is not null)
        {
            request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(ifMatch));
        }

        return await client.SendAsync(request);
    }

    private static string Hash(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));
}
