using System.Text.Json;
using System.Text.RegularExpressions;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Infra.Tests;

/// <summary>The rules applied to the repository's own infrastructure files: each must find nothing.</summary>
public sealed class InfraRepositoryTests
{
    /// <summary>Functions-runtime settings (CONFIG_KEYS.md): read by the host and extensions, not by our options.</summary>
    public static readonly IReadOnlySet<string> RuntimeAllowList = new HashSet<string>(StringComparer.Ordinal)
    {
        "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__credential", "AzureWebJobsStorage__clientId",
        "ServiceBusConnection__fullyQualifiedNamespace", "ServiceBusConnection__credential", "ServiceBusConnection__clientId",
        "APPLICATIONINSIGHTS_CONNECTION_STRING", "APPLICATIONINSIGHTS_AUTHENTICATION_STRING",
        "FUNCTIONS_WORKER_RUNTIME", "AZURE_CLIENT_ID",
    };

    private const string FunctionAppModule = "infra/modules/functionapp.bicep";

    private static OptionKeyCatalog Catalog() => OptionKeyCatalog.FromAssemblies(
        typeof(ChunkingOptions).Assembly,
        typeof(RagFunctions.Api.Identity.ICallerIdentityResolver).Assembly,
        // By name: RagFunctions.Azure may not have a public type yet; the project reference copies it here.
        System.Reflection.Assembly.Load("RagFunctions.Azure"));

    private static AppSettingsContract Contract() => AppSettingsContract.Parse(RepoFiles.Read("infra/app-settings.contract.json"));

    private static IReadOnlyList<string> BicepAppSettings() => InfraRules.AppSettingNames(RepoFiles.Read(FunctionAppModule));

    private static void AssertNone(IEnumerable<Violation> violations) =>
        Assert.True(!violations.Any(), string.Join(Environment.NewLine, violations));

    private static IEnumerable<Violation> OverBicep(Func<string, string, IEnumerable<Violation>> rule) =>
        RepoFiles.BicepFiles().SelectMany(f => rule(RepoFiles.Relative(f), File.ReadAllText(f))).ToList();

    [Fact]
    public void Every_role_definition_guid_in_the_bicep_is_a_known_built_in_role() =>
        AssertNone(OverBicep(InfraRules.UnknownRoleGuids));

    [Fact]
    public void Bicep_never_lists_data_plane_keys() =>
        AssertNone(OverBicep(InfraRules.KeyListingCalls));

    [Fact]
    public void No_deployment_file_holds_a_keyed_connection_string() =>
        AssertNone(RepoFiles.DeploymentFiles().SelectMany(f => InfraRules.KeyedConnectionStrings(RepoFiles.Relative(f), File.ReadAllText(f))).ToList());

    [Fact]
    public void Hook_scripts_fetch_no_data_plane_keys()
    {
        var scripts = RepoFiles.HookScripts();
        Assert.NotEmpty(scripts);
        AssertNone(scripts.SelectMany(f => InfraRules.KeyFetchingCommands(RepoFiles.Relative(f), File.ReadAllText(f))).ToList());
    }

    [Fact]
    public void Azure_yaml_points_at_an_existing_functions_project()
    {
        var yaml = RepoFiles.Read("azure.yaml");
        AssertNone(InfraRules.MissingServiceProjects("azure.yaml", yaml, RepoFiles.Root));
        Assert.Contains(InfraRules.AzureYamlProjects(yaml), p => p.Project == "./functions/RagFunctions.App");
        Assert.Matches(@"host:\s*function", yaml);
    }

    [Fact]
    public void Function_app_sets_exactly_the_contracted_settings() =>
        AssertNone(InfraRules.ContractMismatches(FunctionAppModule, BicepAppSettings(), Contract()));

    [Fact]
    public void Every_app_setting_is_read_by_the_runtime_or_an_options_class() =>
        AssertNone(InfraRules.UnreadAppSettings(FunctionAppModule, BicepAppSettings(), RuntimeAllowList, Catalog(), Contract()));

    [Fact]
    public void Every_required_option_is_set_on_azure() =>
        AssertNone(InfraRules.RequiredOptionsNotSet(FunctionAppModule, BicepAppSettings(), Catalog()));

    [Fact]
    public void Contract_runtime_settings_are_functions_runtime_settings() =>
        Assert.All(Contract().Runtime, s => Assert.Contains(s, RuntimeAllowList));

    [Fact]
    public void Contract_option_keys_under_an_existing_options_class_are_properties_of_it()
    {
        var catalog = Catalog();
        var misses = Contract().Options.Select(InfraRules.ToConfigurationPattern)
            .Where(k => catalog.SectionOf(k) is not null && !catalog.Reads(k)).ToList();
        Assert.True(misses.Count == 0, "not read by their options class: " + string.Join(", ", misses));
    }

    [Fact]
    public void Reflection_finds_the_options_classes_already_in_core()
    {
        var catalog = Catalog();
        Assert.Contains("RagFunctions:Chunking:MaxTokens", catalog.Keys);
        Assert.Contains("RagFunctions:Embedding:Dimensions", catalog.Keys);
    }

    [Fact]
    public void Every_role_the_deployment_needs_is_assigned()
    {
        var rbac = RepoFiles.Read("infra/modules/rbac.bicep") + RepoFiles.Read("infra/modules/cosmos.bicep");
        foreach (var (name, guid) in BuiltInRoles.ByName)
        {
            Assert.True(rbac.Contains(guid, StringComparison.OrdinalIgnoreCase), $"{name} ({guid}) is never assigned");
        }
    }

    [Fact]
    public void Function_app_runs_dotnet_isolated_10_on_flex_consumption_with_identity_deployment_storage()
    {
        var bicep = RepoFiles.Read(FunctionAppModule);
        Assert.Matches(@"name:\s*'FC1'", bicep);
        Assert.Matches(@"tier:\s*'FlexConsumption'", bicep);
        Assert.Matches(@"name:\s*'dotnet-isolated'", bicep);
        Assert.Matches(@"param runtimeVersion string = '10\.0'", bicep);
        Assert.Matches(@"type:\s*'UserAssignedIdentity'", bicep);
        Assert.Matches(@"'azd-service-name':\s*'api'", bicep);
    }

    [Fact]
    public void Created_blobs_reach_the_blob_trigger_and_deleted_blobs_reach_the_event_grid_trigger()
    {
        // The Event Grid blob trigger fires only for BlobCreated, so deletions need their own subscription and function.
        var bicep = RepoFiles.Read("infra/modules/eventgrid-subscription.bicep");
        Assert.Contains("/blobServices/default/containers/${documentsContainerName}/", bicep, StringComparison.Ordinal);
        var created = bicep.IndexOf("/runtime/webhooks/blobs?functionName=Host.Functions.", StringComparison.Ordinal);
        var deleted = bicep.IndexOf("/runtime/webhooks/eventgrid?functionName=${blobDeletedFunctionName}", StringComparison.Ordinal);
        Assert.True(created >= 0 && deleted > created);
        Assert.Contains("'Microsoft.Storage.BlobCreated'", bicep[created..deleted], StringComparison.Ordinal);
        Assert.DoesNotContain("BlobDeleted", bicep[created..deleted], StringComparison.Ordinal);
        Assert.Contains("'Microsoft.Storage.BlobDeleted'", bicep[deleted..], StringComparison.Ordinal);
        Assert.Contains("blobDeletedFunctionName string = 'DocumentBlobDeleted'", bicep, StringComparison.Ordinal);
        Assert.Contains("[Function(\"DocumentBlobDeleted\")]", RepoFiles.Read("functions/RagFunctions.App/Ingestion/DocumentBlobDeletedTrigger.cs"), StringComparison.Ordinal);
        var hook = RepoFiles.Read("infra/hooks/postdeploy.sh");
        Assert.Contains("--included-event-types Microsoft.Storage.BlobCreated \\", hook, StringComparison.Ordinal);
        Assert.Contains("--included-event-types Microsoft.Storage.BlobDeleted \\", hook, StringComparison.Ordinal);
        Assert.Contains("'/runtime/webhooks/eventgrid'", RepoFiles.Read("infra/modules/auth.bicep"), StringComparison.Ordinal);
    }

    [Fact]
    public void Easy_auth_answers_401_and_lets_key_protected_webhooks_through()
    {
        var bicep = RepoFiles.Read("infra/modules/auth.bicep");
        Assert.Matches(@"requireAuthentication:\s*true", bicep);
        Assert.Matches(@"unauthenticatedClientAction:\s*'Return401'", bicep);
        Assert.Contains("'/runtime/webhooks/blobs'", bicep, StringComparison.Ordinal);
    }

    [Fact]
    public void Host_json_is_a_v2_isolated_host_with_durable_and_service_bus_settings()
    {
        using var doc = JsonDocument.Parse(RepoFiles.Read("host.json"));
        var root = doc.RootElement;
        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.False(root.TryGetProperty("extensionBundle", out _), "isolated worker apps reference extensions as NuGet packages");
        var durable = root.GetProperty("extensions").GetProperty("durableTask");
        Assert.True(durable.GetProperty("maxConcurrentActivityFunctions").GetInt32() > 0);
        Assert.True(durable.GetProperty("maxConcurrentOrchestratorFunctions").GetInt32() > 0);
        Assert.True(root.GetProperty("extensions").GetProperty("serviceBus").GetProperty("maxConcurrentCalls").GetInt32() > 0);
        var excluded = root.GetProperty("logging").GetProperty("applicationInsights").GetProperty("samplingSettings").GetProperty("excludedTypes").GetString();
        Assert.Contains("Request", excluded!.Split(';'));
    }

    [Fact]
    public void Local_settings_sample_lists_every_contracted_option_for_the_isolated_worker()
    {
        using var doc = JsonDocument.Parse(RepoFiles.Read("local.settings.sample.json"));
        var values = doc.RootElement.GetProperty("Values");
        Assert.Equal("dotnet-isolated", values.GetProperty("FUNCTIONS_WORKER_RUNTIME").GetString());
        foreach (var key in Contract().Options)
        {
            Assert.True(values.TryGetProperty(key.Replace(":", "__", StringComparison.Ordinal), out _), $"{key} missing");
        }
    }

    [Fact]
    public void Local_settings_sample_lists_every_option_the_app_can_read()
    {
        // Options that only the local host uses (drop folder, inbox folder, local parallelism) and computed properties
        // are not settings of the Functions app.
        string[] notAppSettings =
        [
            "RagFunctions:Ingestion:DropFolder",
            "RagFunctions:Ingestion:MaxParallelDocuments",
            "RagFunctions:Assessment:InboxFolder",
            "RagFunctions:History:DeletedRetention",
            "RagFunctions:OpenAI:IsAzure",
        ];
        using var doc = JsonDocument.Parse(RepoFiles.Read("local.settings.sample.json"));
        var values = doc.RootElement.GetProperty("Values");
        var missing = Catalog().Keys
            .Where(k => !notAppSettings.Contains(k, StringComparer.OrdinalIgnoreCase))
            .Select(k => (k.EndsWith(":*", StringComparison.Ordinal) ? k[..^1] + "0" : k).Replace(":*:", ":0:", StringComparison.Ordinal).Replace(":", "__", StringComparison.Ordinal))
            .Where(k => !values.EnumerateObject().Any(v => string.Equals(v.Name, k, StringComparison.OrdinalIgnoreCase)))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(missing.Count == 0, "local.settings.sample.json lacks: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_preprovision_hook_declares_the_document_writer_app_role_the_app_checks_and_group_claims()
    {
        var hook = RepoFiles.Read("infra/hooks/preprovision.sh");
        var role = new RagFunctions.Api.Identity.AuthOptions().DocumentWriterRole;

        Assert.Contains($"writer_role=\"{role}\"", hook, StringComparison.Ordinal);
        Assert.Contains("\\\"value\\\":\\\"$writer_role\\\"", hook, StringComparison.Ordinal);
        Assert.Contains("\\\"allowedMemberTypes\\\":[\\\"User\\\"]", hook, StringComparison.Ordinal);
        Assert.Contains("\\\"groupMembershipClaims\\\":\\\"SecurityGroup\\\"", hook, StringComparison.Ordinal);
    }
}
