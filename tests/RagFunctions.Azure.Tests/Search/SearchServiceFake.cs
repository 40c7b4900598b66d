using System.Net;
using System.Text.Json;
using Azure;
using Azure.Core.Pipeline;
using Azure.Search.Documents;
using Azure.Search.Documents.Indexes;
using Microsoft.Extensions.Logging.Abstractions;
using RagFunctions.Azure.Search;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.Search;

/// <summary>
/// A stand-in for the Azure AI Search REST service behind a recording transport: index PUTs echo the schema, indexing
/// batches succeed per key (unless told otherwise), queries answer from <see cref="OnQuery"/>.
/// </summary>
internal sealed class SearchServiceFake
{
    public const string Endpoint = "https://test.search.windows.net";

    public SearchServiceFake()
    {
        Handler = new RecordingHandler(Respond);
    }

    public RecordingHandler Handler { get; }

    /// <summary>Answers a docs/search.post.search request; default: no results.</summary>
    public Func<RecordedRequest, HttpResponseMessage> OnQuery { get; set; } = _ => Canned.Json("""{"value":[]}""");

    /// <summary>Answers an indexing batch; default: every action succeeds.</summary>
    public Func<RecordedRequest, HttpResponseMessage> OnIndex { get; set; } = SucceedAll;

    public long DocumentCount { get; set; }

    public IEnumerable<RecordedRequest> IndexBatches => Handler.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/docs/search.index", StringComparison.Ordinal));

    public IEnumerable<RecordedRequest> Queries => Handler.Requests.Where(r => r.Uri.AbsolutePath.EndsWith("/docs/search.post.search", StringComparison.Ordinal));

    public AzureSearchIndex CreateIndex(
        int dimensions = 4,
        string? semanticConfiguration = null,
        int maxBatchDocuments = AzureSearchIndex.DefaultMaxBatchDocuments,
        long maxBatchBytes = AzureSearchIndex.DefaultMaxBatchBytes,
        string? embedderId = null)
    {
        var options = new SearchClientOptions { Transport = new HttpClientTransport(new HttpClient(Handler)) };
        options.Retry.MaxRetries = 0;
        var client = new SearchIndexClient(new Uri(Endpoint), new AzureKeyCredential("test"), options);
        return new AzureSearchIndex(
            client,
            new AzureSearchOptions { Endpoint = Endpoint, SemanticConfiguration = semanticConfiguration },
            dimensions,
            NullLogger<AzureSearchIndex>.Instance,
            maxBatchDocuments,
            maxBatchBytes,
            embedderId);
    }

    public AzureSearchVectorCache CreateVectorCache()
    {
        var options = new SearchClientOptions { Transport = new HttpClientTransport(new HttpClient(Handler)) };
        options.Retry.MaxRetries = 0;
        var client = new SearchIndexClient(new Uri(Endpoint), new AzureKeyCredential("test"), options);
        return new AzureSearchVectorCache(client, Microsoft.Extensions.Options.Options.Create(new AzureSearchOptions { Endpoint = Endpoint }));
    }

    public static HttpResponseMessage SucceedAll(RecordedRequest request)
    {
        var results = request.Json.GetProperty("value").EnumerateArray()
            .Select(a => new { key = a.GetProperty("id").GetString(), status = true, errorMessage = (string?)null, statusCode = 200 });
        return Canned.Json(Canned.Serialize(new { value = results }));
    }

    /// <summary>A query answer carrying just ids, as the id lookups select.</summary>
    public static HttpResponseMessage Ids(IEnumerable<string> ids) =>
        Canned.Json(Canned.Serialize(new { value = ids.Select(id => new Dictionary<string, object> { ["@search.score"] = 1.0, ["id"] = id }) }));

    private HttpResponseMessage Respond(RecordedRequest request)
    {
        var path = Uri.UnescapeDataString(request.Uri.AbsolutePath);
        if (request.Method == HttpMethod.Put && path.StartsWith("/indexes(", StringComparison.Ordinal))
        {
            return Canned.Json(request.Body!, HttpStatusCode.Created);
        }

        if (path.EndsWith("/docs/search.index", StringComparison.Ordinal))
        {
            return OnIndex(request);
        }

        if (path.EndsWith("/docs/search.post.search", StringComparison.Ordinal))
        {
            return OnQuery(request);
        }

        if (path.EndsWith("/docs/$count", StringComparison.Ordinal))
        {
            return Canned.Text(DocumentCount.ToString(System.Globalization.CultureInfo.InvariantCulture), "text/plain");
        }

        return Canned.Error(HttpStatusCode.NotFound);
    }
}

internal static class JsonElementExtensions
{
    public static JsonElement Field(this JsonElement index, string name) =>
        index.GetProperty("fields").EnumerateArray().Single(f => f.GetProperty("name").GetString() == name);

    public static string[] Strings(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
