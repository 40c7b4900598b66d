extern alias local;

using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.App.Ingestion;
using RagFunctions.Azure.Ingestion;
using RagFunctions.Core.Ingestion.Workflow;
using Xunit.Abstractions;

namespace RagFunctions.App.Tests.Metadata;

/// <summary>
/// What the Worker SDK generated for the app (<c>functions.metadata</c>, what the Functions host indexes) matches the
/// infrastructure that routes events to it, the local host's HTTP surface, and the documented authorization levels.
/// </summary>
public sealed partial class FunctionsMetadataTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<FunctionEntry> Functions = FunctionsMetadata.Load();

    [Fact]
    public void The_functions_that_infra_and_its_hooks_name_exist_with_the_expected_triggers()
    {
        output.WriteLine(string.Join(Environment.NewLine, Functions.Select(f => $"{f.Name}: {f.Trigger.Type} {f.Trigger.Property("route") ?? f.Trigger.Property("path") ?? ""}")));
        var infra = InfraFiles().ToDictionary(f => f, f => File.ReadAllText(Path.Combine(Repository.Root, f)));

        // Blob trigger: main.bicep's parameter default, the parameter file's azd default, and the webhook URL's Host.Functions.<name>.
        var blobTriggerNames = infra.Values.SelectMany(text => BlobTriggerNameReferences().Matches(text).Select(m => m.Groups["name"].Value)).ToHashSet();
        // Event Grid trigger: the BlobDeleted subscription's parameter default and the hook's literal webhook URL.
        var eventGridNames = infra.Values.SelectMany(text => EventGridNameReferences().Matches(text).Select(m => m.Groups["name"].Value)).ToHashSet();
        // Any other literal function name in infra/ must be one of those (an unknown reference would go unchecked).
        var literal = infra.Values.SelectMany(text => LiteralFunctionNames().Matches(text).Select(m => m.Groups["name"].Value)).ToHashSet();

        Assert.NotEmpty(blobTriggerNames);
        Assert.NotEmpty(eventGridNames);
        Assert.Empty(literal.Except(blobTriggerNames).Except(eventGridNames));
        foreach (var name in blobTriggerNames)
        {
            var function = Functions.SingleOrDefault(f => f.Name == name);
            Assert.True(function is not null, $"infra routes BlobCreated to {name}, which is not in functions.metadata");
            Assert.Equal("blobTrigger", function.Trigger.Type);
            Assert.Equal("EventGrid", function.Trigger.Property("source"));
            Assert.Equal($"{DocumentBlobFunctions.Container}/{{name}}", function.Trigger.Property("path"));
            Assert.Equal("AzureWebJobsStorage", function.Trigger.Property("connection"));
            Assert.Contains(function.Bindings, b => b.Type == "durableClient");
        }

        foreach (var name in eventGridNames)
        {
            var function = Functions.SingleOrDefault(f => f.Name == name);
            if (FunctionsMetadata.MessagingTriggersBuilt)
            {
                Assert.True(function is not null, $"infra routes BlobDeleted to {name}, which is not in functions.metadata (IncludeMessagingTriggers=true)");
                Assert.Equal("eventGridTrigger", function.Trigger.Type);
            }
            else
            {
                Assert.True(function is null, $"{name} is in functions.metadata although IncludeMessagingTriggers=false");
            }
        }

        Assert.Equal(FunctionsMetadata.MessagingTriggersBuilt, Functions.Any(f => f.Trigger.Type == "serviceBusTrigger"));
        Assert.Equal(FunctionsMetadata.MessagingTriggersBuilt, Functions.Any(f => f.Trigger.Type == "eventGridTrigger"));
    }

    [Fact]
    public void The_ingestion_orchestration_and_every_activity_the_workflow_calls_are_functions()
    {
        var names = typeof(IngestionActivityNames).GetFields().Select(f => (string)f.GetRawConstantValue()!).ToList();

        Assert.Equal("orchestrationTrigger", Functions.Single(f => f.Name == IngestionActivityNames.Orchestrator).Trigger.Type);
        foreach (var name in names.Where(n => n != IngestionActivityNames.Orchestrator))
        {
            Assert.True(Functions.Any(f => f.Name == name && f.Trigger.Type == "activityTrigger"), $"activity {name} has no activityTrigger function");
        }
    }

    [Fact]
    public async Task Every_local_HTTP_route_is_an_app_function_with_the_same_method_and_template_and_vice_versa()
    {
        var local = await LocalRoutesAsync();
        var prefix = RoutePrefix();
        var app = Functions
            .Where(f => f.Trigger.Type == "httpTrigger" && !HostSpecificFunctions.Contains(f.Name))
            .SelectMany(f => f.Trigger.Methods.Select(m => (Method: m, Path: Normalize($"{prefix}/{f.Trigger.Property("route")}"), f.Name)))
            .ToList();

        var appKeys = app.Select(a => (a.Method, a.Path)).ToHashSet();
        var missingInApp = local.Where(l => !appKeys.Contains(l)).Select(l => $"{l.Method} {l.Path} is served by the local host but no App function has it (add an [HttpTrigger] function in functions/RagFunctions.App/Http)").ToList();
        var missingLocally = app.Where(a => !local.Contains((a.Method, a.Path))).Select(a => $"{a.Method} {a.Path} is App function {a.Name} but the local host has no such route").ToList();

        Assert.True(missingInApp.Count + missingLocally.Count == 0, string.Join(Environment.NewLine, missingInApp.Concat(missingLocally)));
        Assert.Equal(app.Count, appKeys.Count);
        output.WriteLine($"{local.Count} routes on both hosts");
    }

    [Fact]
    public void HTTP_functions_have_the_authorization_levels_the_app_README_documents()
    {
        // README: every HTTP function is anonymous (Easy Auth fronts the app) unless its row says "function key".
        var readme = File.ReadAllLines(Path.Combine(Repository.Root, "functions/RagFunctions.App/README.md"));
        foreach (var function in Functions.Where(f => f.Trigger.Type == "httpTrigger"))
        {
            var row = readme.FirstOrDefault(l => l.StartsWith($"| `{function.Name}`", StringComparison.Ordinal));
            var expected = row is not null && row.Contains("function key", StringComparison.OrdinalIgnoreCase) ? "Function" : "Anonymous";
            Assert.True(expected == function.Trigger.Property("authLevel"),
                $"{function.Name} has authLevel {function.Trigger.Property("authLevel")}, the App README documents {expected}");
        }

        Assert.Contains(Functions, f => f.Trigger.Property("authLevel") == "Function");
    }

    [Fact]
    public void The_staging_container_the_app_writes_to_is_created_by_infra()
    {
        var storage = File.ReadAllText(Path.Combine(Repository.Root, "infra/modules/storage.bicep"));

        Assert.Contains($"name: '{BlobIngestionStaging.ContainerName}'", storage, StringComparison.Ordinal);
    }

    /// <summary>Local-only: <c>POST /api/dev/token</c> (the chat page's development users; never on Azure).</summary>
    private const string DevelopmentTokenRoute = "/api/dev/token";

    /// <summary>
    /// App functions that are the Functions host's counterpart of a host-specific local route: <c>OpenApiDocument</c>
    /// serves the same document as the local <c>/openapi/v1.json</c>, under the Functions route prefix.
    /// </summary>
    private static readonly HashSet<string> HostSpecificFunctions = ["OpenApiDocument"];

    private static async Task<HashSet<(string Method, string Path)>> LocalRoutesAsync()
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "ragfunctions-app-routes", Guid.NewGuid().ToString("N"));
        await using var factory = new LocalHost(dataDirectory);
        _ = factory.Server;
        var routes = factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            // The API description's own surfaces (the OpenAPI document, the /docs reference page) opt out of the
            // description and are served per host; the development token route exists only locally in Development.
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .Where(e => e.RoutePattern.RawText != DevelopmentTokenRoute)
            .SelectMany(e => (e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
                .Where(m => m != "OPTIONS")
                .Select(m => (Method: m.ToUpperInvariant(), Path: Normalize(e.RoutePattern.RawText ?? ""))))
            .ToHashSet();
        Assert.NotEmpty(routes);
        return routes;
    }

    /// <summary>The Functions host's route prefix: host.json <c>extensions.http.routePrefix</c>, default <c>api</c>.</summary>
    private static string RoutePrefix()
    {
        using var host = JsonDocument.Parse(File.ReadAllText(Path.Combine(Repository.Root, "host.json")));
        return host.RootElement.TryGetProperty("extensions", out var extensions)
            && extensions.TryGetProperty("http", out var http)
            && http.TryGetProperty("routePrefix", out var prefix)
            ? prefix.GetString() ?? "" : "api";
    }

    private static string Normalize(string path) => "/" + string.Join('/', path.Split('/', StringSplitOptions.RemoveEmptyEntries));

    private static IEnumerable<string> InfraFiles() =>
        Directory.GetFiles(Path.Combine(Repository.Root, "infra"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".bicep", StringComparison.Ordinal) || f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".sh", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(Repository.Root, f));

    [GeneratedRegex(@"(?:blobTriggerFunctionName string = '|AZURE_BLOB_TRIGGER_FUNCTION_NAME=|Host\.Functions\.)(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex BlobTriggerNameReferences();

    [GeneratedRegex(@"(?:blobDeletedFunctionName string = '|webhooks/eventgrid\?functionName=)(?<name>[A-Za-z_][A-Za-z0-9_]*)")]
    private static partial Regex EventGridNameReferences();

    [GeneratedRegex(@"functionName=(?:Host\.Functions\.)?(?<name>(?>[A-Za-z_][A-Za-z0-9_]*))(?![.$])")]
    private static partial Regex LiteralFunctionNames();

    /// <summary>The real local host on a temporary data directory, only to read its endpoint list.</summary>
    private sealed class LocalHost(string dataDirectory) : WebApplicationFactory<local::Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("RagFunctions:Local:DataDirectory", dataDirectory);
            // Only the endpoint list is read: the model-free embedder keeps start-up independent of ONNX/ICU.
            builder.UseSetting("RagFunctions:Embedding:Model", "lexical");
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            try
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
            catch (IOException)
            {
                // SQLite may hold the file a moment longer; it is a temp folder.
            }
        }
    }
}
