using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Api.OpenApi;
using RagFunctions.Local.Tests.Hosting;

namespace RagFunctions.Local.Tests.Frontend;

/// <summary>The OpenAPI 3.1 document at /openapi/v1.json matches the routes the host really maps, describes streams and problems,
/// validates with an OpenAPI linter, and is the same document the Functions app serves.</summary>
public sealed class OpenApiDocumentTests : IDisposable
{
    private readonly LocalHostFactory _host = new();

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task Every_mapped_route_is_documented_and_every_documented_route_is_mapped()
    {
        var document = await GetDocumentAsync();
        var mapped = MappedOperations(_host.Services);
        var documented = DocumentedOperations(document);

        Assert.NotEmpty(mapped);
        Assert.Empty(mapped.Except(documented));
        Assert.Empty(documented.Except(mapped));
        Assert.Contains("POST /api/chat/conversations/{id}/messages", documented);
        Assert.Contains("GET /api/documents", documented);
    }

    [Fact]
    public async Task The_document_is_OpenAPI_3_1_with_schemas_problems_and_streams()
    {
        var document = await GetDocumentAsync();

        Assert.StartsWith("3.1", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var send = document["paths"]!["/api/chat/conversations/{id}/messages"]!["post"]!;
        Assert.Equal("#/components/schemas/SendMessageRequest", send["requestBody"]!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        var ok = send["responses"]!["200"]!["content"]!;
        Assert.Equal("#/components/schemas/TurnResponse", ok["application/json"]!["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains("`delta`", ok["text/event-stream"]!["schema"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("application/problem+json", send["responses"]!["503"]!["content"]!.AsObject().Single().Key);
        var ndjson = document["paths"]!["/api/chat/stream"]!["post"]!["responses"]!["200"]!["content"]!["application/x-ndjson"]!;
        Assert.Equal("#/components/schemas/ChatProtocolStreamLine", ndjson["schema"]!["$ref"]!.GetValue<string>());
        Assert.Contains("/problems/upstream-unavailable", document["info"]!["description"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(document["components"]!["schemas"]!["DocumentRecord"]);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["bearer"]!["scheme"]!.GetValue<string>());
        var operationIds = document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject()).Select(o => o.Value!["operationId"]?.GetValue<string>()).ToList();
        Assert.DoesNotContain(null, operationIds);
        Assert.Equal(operationIds.Count, operationIds.Distinct().Count());
    }

    [Fact]
    public async Task The_Functions_app_document_is_the_local_document_without_the_local_only_routes()
    {
        var local = await GetDocumentAsync();
        var app = JsonNode.Parse(await ApiDescriptionDocument.RenderJsonAsync())!;

        var localPaths = local["paths"]!.AsObject().Where(p => p.Key is not ("/api/chat/assessments/events" or "/api/dev/token")).ToDictionary(p => p.Key, p => p.Value!.ToJsonString());
        var appPaths = app["paths"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToJsonString());
        Assert.Equal(localPaths.Keys.Order(StringComparer.Ordinal), appPaths.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, json) in appPaths)
        {
            Assert.Equal(localPaths[path], json);
        }

        Assert.Equal(local["info"]!.ToJsonString(), app["info"]!.ToJsonString());
    }

    [OpenApiLinterFact]
    public async Task The_document_validates_with_redocly_and_a_broken_one_does_not()
    {
        var redocly = TestTools.Redocly() ?? throw new InvalidOperationException(".cache/openapi-lint is missing: run scripts/setup-test-deps.sh");
        var folder = Directory.CreateTempSubdirectory("openapi-lint").FullName;
        var good = Path.Combine(folder, "v1.json");
        var text = await _host.CreateClient().GetStringAsync(ApiOpenApi.DocumentPath);
        await File.WriteAllTextAsync(good, text);
        var broken = Path.Combine(folder, "broken.json");
        var node = JsonNode.Parse(text)!;
        node["paths"]!["/api/health"]!["get"]!["responses"] = JsonValue.Create("not an object");
        await File.WriteAllTextAsync(broken, node.ToJsonString());

        var (goodExit, goodOutput) = await TestTools.RunAsync(redocly, ["lint", "--extends=minimal", "--format=stylish", good], folder);
        var (brokenExit, brokenOutput) = await TestTools.RunAsync(redocly, ["lint", "--extends=minimal", "--format=stylish", broken], folder);

        Assert.True(goodExit == 0, goodOutput);
        Assert.True(brokenExit != 0, brokenOutput);
    }

    private async Task<JsonNode> GetDocumentAsync()
    {
        var response = await _host.CreateClient().GetAsync(ApiOpenApi.DocumentPath);
        response.EnsureSuccessStatusCode();
        return JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
    }

    /// <summary>"METHOD /pattern" for every endpoint the host maps, minus those that opt out of the description (the document itself, /docs).</summary>
    internal static HashSet<string> MappedOperations(IServiceProvider services) =>
    [
        .. services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["ANY"])
                .Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}")),
    ];

    private static HashSet<string> DocumentedOperations(JsonNode document) =>
    [
        .. document["paths"]!.AsObject().SelectMany(p => p.Value!.AsObject().Select(o => $"{o.Key.ToUpperInvariant()} {p.Key}")),
    ];
}
