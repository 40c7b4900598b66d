using System.Net;

namespace RagFunctions.Local.Tests.Hosting;

/// <summary>CORS from <c>RagFunctions:Cors:AllowedOrigins</c>: a browser page on an allowed origin can preflight and read answers
/// (errors included); any other origin gets no CORS headers, so the browser withholds the response.</summary>
public sealed class CorsTests : IDisposable
{
    private const string Allowed = "https://app.example.com";
    private readonly LocalHostFactory _host = new(new Dictionary<string, string?>
    {
        // A list in one value, as an azd/environment value carries it; the trailing slash is tolerated.
        ["RagFunctions:Cors:AllowedOrigins"] = "https://app.example.com/, http://localhost:5173",
    });

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Preflight_from_an_allowed_origin_allows_the_method_and_headers()
    {
        var client = _host.CreateClient();
        using var request = Preflight(Allowed, "POST", "authorization,content-type");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Allowed, Header(response, "Access-Control-Allow-Origin"));
        Assert.Contains("POST", Header(response, "Access-Control-Allow-Methods"), StringComparison.Ordinal);
        Assert.Contains("authorization", Header(response, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.Null(Header(response, "Access-Control-Allow-Credentials"));
    }

    [Fact]
    public async Task Actual_request_from_an_allowed_origin_gets_the_headers_even_on_a_401()
    {
        var client = _host.CreateClient();
        using var health = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        health.Headers.Add("Origin", "http://localhost:5173");
        using var unauthorized = new HttpRequestMessage(HttpMethod.Get, "/api/chat/conversations");
        unauthorized.Headers.Add("Origin", Allowed);

        var ok = await client.SendAsync(health);
        var denied = await client.SendAsync(unauthorized);

        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal("http://localhost:5173", Header(ok, "Access-Control-Allow-Origin"));
        Assert.Equal(HttpStatusCode.Unauthorized, denied.StatusCode);
        Assert.Equal(Allowed, Header(denied, "Access-Control-Allow-Origin"));
        Assert.Contains("WWW-Authenticate", Header(denied, "Access-Control-Expose-Headers"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disallowed_origin_gets_no_CORS_headers()
    {
        var client = _host.CreateClient();
        using var preflight = Preflight("https://evil.example.net", "POST", "authorization");
        using var actual = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        actual.Headers.Add("Origin", "https://evil.example.net");

        var pre = await client.SendAsync(preflight);
        var response = await client.SendAsync(actual);

        Assert.Null(Header(pre, "Access-Control-Allow-Origin"));
        Assert.Null(Header(pre, "Access-Control-Allow-Methods"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Without_the_setting_no_origin_is_allowed()
    {
        using var host = new LocalHostFactory();
        var client = host.CreateClient();
        using var actual = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        actual.Headers.Add("Origin", Allowed);

        var response = await client.SendAsync(actual);

        Assert.Null(Header(response, "Access-Control-Allow-Origin"));
    }

    private static HttpRequestMessage Preflight(string origin, string method, string headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/chat/conversations");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        request.Headers.Add("Access-Control-Request-Headers", headers);
        return request;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
}
