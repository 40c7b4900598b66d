using System.Net;
using System.Text;
using System.Text.Json;

namespace RagFunctions.Azure.Tests.Http;

/// <summary>One HTTP request as the SDK sent it.</summary>
public sealed record RecordedRequest(HttpMethod Method, Uri Uri, IReadOnlyDictionary<string, string> Headers, string? Body)
{
    /// <summary>The request body parsed as JSON.</summary>
    public JsonElement Json => JsonDocument.Parse(Body ?? throw new InvalidOperationException("The request had no body.")).RootElement;

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>A query-string parameter, decoded.</summary>
    public string? Query(string name) =>
        Uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .Where(kv => Uri.UnescapeDataString(kv[0]) == name)
            .Select(kv => kv.Length > 1 ? Uri.UnescapeDataString(kv[1]) : "")
            .FirstOrDefault();
}

/// <summary>
/// An <see cref="HttpMessageHandler"/> that records every request and answers from a responder function, so SDK clients
/// (Azure.Core's HttpClientTransport, System.ClientModel's HttpClientPipelineTransport) run end to end with no network.
/// </summary>
public sealed class RecordingHandler(Func<RecordedRequest, HttpResponseMessage> responder) : HttpMessageHandler
{
    private readonly List<RecordedRequest> _requests = [];

    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in request.Headers)
        {
            headers[name] = string.Join(",", values);
        }

        if (request.Content is not null)
        {
            foreach (var (name, values) in request.Content.Headers)
            {
                headers[name] = string.Join(",", values);
            }
        }

        var recorded = new RecordedRequest(request.Method, request.RequestUri!, headers, body);
        lock (_requests)
        {
            _requests.Add(recorded);
        }

        var response = responder(recorded);
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>Canned responses.</summary>
public static class Canned
{
    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    public static HttpResponseMessage Text(string text, string mediaType, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) };

    public static HttpResponseMessage Error(HttpStatusCode status, string json = """{"error":{"code":"Error","message":"canned failure"}}""", params (string Name, string Value)[] headers) =>
        Json(json, status, headers);

    public static string Serialize(object value) => JsonSerializer.Serialize(value);
}
