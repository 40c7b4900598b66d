using System.Net.Http.Json;
using System.Text.Json;

namespace RagFunctions.Local.Tests.Hosting;

/// <summary>Small typed helpers over the documents and search endpoints, for readable integration tests.</summary>
public static class DocumentsClient
{
    public static async Task<JsonElement> GetDocumentAsync(this HttpClient client, string id) =>
        await client.GetFromJsonAsync<JsonElement>($"/api/documents/{id}");

    /// <summary>Polls until the document reaches a final status (indexed or failed) or the timeout passes.</summary>
    public static async Task<JsonElement> WaitForFinalStatusAsync(this HttpClient client, string id, TimeSpan? timeout = null, string? notHash = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync($"/api/documents/{id}");
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                var status = last.GetProperty("status").GetString();
                var hashOk = notHash is null || last.GetProperty("contentHash").GetString() != notHash;
                if (status is "indexed" or "failed" && hashOk)
                {
                    return last;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"document {id} did not finish; last state: {last}");
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("condition not reached");
    }

    public static async Task<JsonElement[]> SearchAsync(this HttpClient client, string q, int top = 5)
    {
        var result = await client.GetFromJsonAsync<JsonElement>($"/api/search?q={Uri.EscapeDataString(q)}&top={top}");
        return [.. result.GetProperty("hits").EnumerateArray()];
    }

    /// <summary>Uploads as multipart; <paramref name="visibility"/> public (the default here: the ingestion tests' files sit at
    /// the top of the folder), private or shared (with <paramref name="groups"/>); null sends no field (the server default, private).</summary>
    public static async Task<HttpResponseMessage> UploadAsync(this HttpClient client, string fileName, byte[] content, string? visibility = "public", string? groups = null, bool overwrite = false)
    {
        using var form = new MultipartFormDataContent();
        if (overwrite)
        {
            // Replacing an existing name must be asked for (otherwise 409 /problems/document-exists).
            form.Add(new StringContent("true"), "overwrite");
        }

        var file = new ByteArrayContent(content);
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", fileName);
        if (visibility is not null)
        {
            form.Add(new StringContent(visibility), "visibility");
        }

        if (groups is not null)
        {
            form.Add(new StringContent(groups), "groups");
        }

        return await client.PostAsync("/api/documents", form);
    }
}
