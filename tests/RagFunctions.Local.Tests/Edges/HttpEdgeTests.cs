using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RagFunctions.Api.Hosting;
using RagFunctions.Core.Ingestion;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Edges;

/// <summary>Issue 11's HTTP edge probes on the real local host: odd upload names, broken multipart, security headers on every response,
/// problem+json for the errors the server produces by itself.</summary>
public sealed class HttpEdgeTests : IDisposable
{
    private readonly LocalHostFactory _host = new();
    private readonly HttpClient _client;

    public HttpEdgeTests() => _client = _host.CreateWriterClient();

    public void Dispose()
    {
        _client.Dispose();
        _host.Dispose();
    }

    [Fact]
    public async Task A_long_multibyte_name_is_accepted_shortened_with_its_extension_and_ingested()
    {
        var name = string.Concat(Enumerable.Repeat("日本語の長いファイル名", 40)) + ".txt";

        using var response = await _client.UploadAsync(name, Encoding.UTF8.GetBytes("Quokkas live on Rottnest Island."));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var sourcePath = body.GetProperty("sourcePath").GetString()!;
        Assert.EndsWith(".txt", sourcePath, StringComparison.Ordinal);
        Assert.StartsWith("日本語の長いファイル名", Path.GetFileName(sourcePath), StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(Path.GetFileName(sourcePath)), 1, UploadFileNames.MaxLength);
        var final = await _client.WaitForFinalStatusAsync(body.GetProperty("id").GetString()!);
        Assert.Equal("indexed", final.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_name_with_a_right_to_left_override_is_400_problem_and_nothing_is_stored()
    {
        using var response = await _client.UploadAsync("invoice\u202Efdp.txt", Encoding.UTF8.GetBytes("text"));

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("U+202E", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Path.Combine(_host.DataDirectory, "documents"), "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("truncated", "--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\nhello wor")]
    [InlineData("garbage", "this is not multipart at all \u0001\u0002")]
    [InlineData("no-closing", "--b1\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\n\r\nhello\r\n--b1")]
    public async Task Malformed_multipart_is_400_problem(string label, string body)
    {
        using var response = await SendRawAsync(body, "multipart/form-data; boundary=b1");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("detail").GetString()!.Length > 0, label);
    }

    [Fact]
    public async Task Multipart_without_a_boundary_is_400_problem_not_413()
    {
        using var response = await SendRawAsync("hello", "multipart/form-data");

        var problem = await ProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("boundary", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/health")]
    [InlineData("/api/documents")]
    [InlineData("/api/no-such-route")]
    [InlineData("/api/chat/conversations")]
    public async Task Every_response_carries_nosniff_and_a_restrictive_csp(string path)
    {
        using var response = await _client.GetAsync(path);

        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal(SecurityHeaders.ApiContentSecurityPolicy, Assert.Single(response.Headers.GetValues("Content-Security-Policy")));
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem_json()
    {
        using var response = await _client.GetAsync("/api/no-such-route");

        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal("/problems/not-found", problem.GetProperty("type").GetString());
        Assert.Contains("/api/no-such-route", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_method_is_405_problem_json_naming_the_allowed_ones()
    {
        using var response = await _client.PutAsync("/api/health", new StringContent("{}", Encoding.UTF8, "application/json"));

        var problem = await ProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("/problems/method-not-allowed", problem.GetProperty("type").GetString());
        Assert.Contains("GET", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Html_responses_keep_their_own_policy_and_still_get_nosniff()
    {
        var html = new DefaultHttpContext();
        html.Response.ContentType = "text/html; charset=utf-8";
        var page = new DefaultHttpContext();
        page.Response.ContentType = "application/json";
        page.Response.Headers.ContentSecurityPolicy = "default-src 'self'";

        SecurityHeaders.Apply(html.Response);
        SecurityHeaders.Apply(page.Response);

        Assert.Equal("nosniff", html.Response.Headers.XContentTypeOptions.ToString());
        Assert.Empty(html.Response.Headers.ContentSecurityPolicy.ToString());
        Assert.Equal("default-src 'self'", page.Response.Headers.ContentSecurityPolicy.ToString());
    }

    private async Task<HttpResponseMessage> SendRawAsync(string body, string contentType)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return await _client.PostAsync("/api/documents", content);
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement;
    }
}
