using System.ComponentModel.DataAnnotations;

namespace RagFunctions.Infra.Tests;

// Options-shaped types for the reflection rules (top-level and public, like the real options classes).
public sealed class SampleChatOptions
{
    public const string Section = "RagFunctions:Chat";
    public List<SampleChatModel> Models { get; set; } = [];
    public int RetrievalTop { get; set; } = 5;
}

public sealed class SampleChatModel
{
    public string Name { get; set; } = string.Empty;
    public int TimeoutSeconds { get; set; }
}

public sealed class SampleSearchOptions
{
    public const string Section = "RagFunctions:AzureSearch";
    [Required]
    public string Endpoint { get; set; } = string.Empty;
    public string IndexName { get; set; } = "ragfunctions-chunks";
}

/// <summary>Each rule run on a small bad snippet: proves the rule can fail, and on the nearest good one: proves it is precise.</summary>
public sealed class InfraRuleNegativeTests
{
    private static readonly OptionKeyCatalog SampleCatalog = OptionKeyCatalog.FromTypes([typeof(SampleChatOptions), typeof(SampleSearchOptions)]);

    private static readonly AppSettingsContract SampleContract = new(
        Runtime: ["AzureWebJobsStorage__accountName"],
        Options: ["RagFunctions:AzureSearch:Endpoint", "RagFunctions:Cosmos:Endpoint"]);

    private static readonly IReadOnlySet<string> Runtime = new HashSet<string>(StringComparer.Ordinal) { "AzureWebJobsStorage__accountName" };

    [Fact]
    public void A_mistyped_role_guid_is_reported()
    {
        // Storage Blob Data Owner with its last digit changed.
        const string bicep = "var role = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955c'";
        var violation = Assert.Single(InfraRules.UnknownRoleGuids("x.bicep", bicep));
        Assert.Contains("b7e6dc6d-f1e8-4753-8033-0f276bb0955c", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_known_role_guid_passes_and_one_in_a_comment_is_ignored()
    {
        const string bicep = """
            var owner = 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b' // Storage Blob Data Owner
            // old: 11111111-2222-3333-4444-555555555555
            """;
        Assert.Empty(InfraRules.UnknownRoleGuids("x.bicep", bicep));
    }

    [Theory]
    [InlineData("var key = storage.listKeys().keys[0].value")]
    [InlineData("var key = listKeys(resourceId('Microsoft.DocumentDB/databaseAccounts', name), '2024-11-15').primaryMasterKey")]
    [InlineData("var key = search.listAdminKeys().primaryKey")]
    [InlineData("var cs = listConnectionStrings(cosmos.id, '2024-11-15').connectionStrings[0].connectionString")]
    [InlineData("var key = listKeys('${sb.id}/AuthorizationRules/RootManageSharedAccessKey', '2024-01-01').primaryKey")]
    public void Listing_data_plane_keys_is_reported(string bicep) =>
        Assert.Single(InfraRules.KeyListingCalls("x.bicep", bicep));

    [Fact]
    public void Listing_function_host_keys_is_allowed_and_comments_are_ignored()
    {
        const string bicep = """
            // never storage.listKeys() here
            var k = listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension
            """;
        Assert.Empty(InfraRules.KeyListingCalls("x.bicep", bicep));
    }

    [Theory]
    [InlineData("AzureWebJobsStorage: 'DefaultEndpointsProtocol=https;AccountName=${st.name};AccountKey=${key}'")]
    [InlineData("\"ServiceBusConnection\": \"Endpoint=sb://x.servicebus.windows.net/;SharedAccessKeyName=Root;SharedAccessKey=abc\"")]
    public void A_keyed_connection_string_is_reported(string text) =>
        Assert.NotEmpty(InfraRules.KeyedConnectionStrings("x", text));

    [Fact]
    public void An_identity_based_connection_passes() =>
        Assert.Empty(InfraRules.KeyedConnectionStrings("x", "AzureWebJobsStorage__accountName: storage.name"));

    [Theory]
    [InlineData("key=$(az storage account keys list -n st -g rg --query [0].value -o tsv)")]
    [InlineData("az storage blob upload --auth-mode key --account-name st -c documents -f a.pdf")]
    [InlineData("az cosmosdb keys list -n c -g rg")]
    [InlineData("az search admin-key show --service-name s -g rg")]
    [InlineData("az servicebus namespace authorization-rule keys list -g rg --namespace-name sb -n Root")]
    public void A_hook_fetching_a_data_plane_key_is_reported(string script) =>
        Assert.NotEmpty(InfraRules.KeyFetchingCommands("hook.sh", script));

    [Fact]
    public void A_hook_reading_function_host_keys_and_uploading_with_login_passes()
    {
        const string script = """
            k=$(az functionapp keys list -n app -g rg --query systemKeys.blobs_extension -o tsv)
            az storage blob upload --auth-mode login --account-name st -c documents -f a.pdf
            """;
        Assert.Empty(InfraRules.KeyFetchingCommands("hook.sh", script));
    }

    [Fact]
    public void A_service_project_path_that_does_not_exist_is_reported()
    {
        const string yaml = """
            services:
              api:
                project: ./functions/RagFunctions.Missing
                language: dotnet
            """;
        var violation = Assert.Single(InfraRules.MissingServiceProjects("azure.yaml", yaml, RepoFiles.Root));
        Assert.Equal(3, violation.Line);
    }

    [Fact]
    public void App_settings_are_read_from_the_var_block_only_at_top_level()
    {
        const string bicep = """
            var other = { Nope: 1 }
            var appSettings = {
              AzureWebJobsStorage__accountName: storage.name
              'RagFunctions__Chat__Models__0__Name': chat
              Nested: {
                Inner: 'x'
              }
            }
            """;
        Assert.Equal(["AzureWebJobsStorage__accountName", "RagFunctions__Chat__Models__0__Name", "Nested"], InfraRules.AppSettingNames(bicep));
    }

    [Fact]
    public void Setting_names_map_to_configuration_keys_with_indexes_as_wildcards() =>
        Assert.Equal("RagFunctions:Chat:Models:*:Name", InfraRules.ToConfigurationPattern("RagFunctions__Chat__Models__0__Name"));

    [Fact]
    public void Reflection_reads_nested_collections_and_required_properties()
    {
        Assert.Contains("RagFunctions:Chat:Models:*:Name", SampleCatalog.Keys);
        Assert.Contains("RagFunctions:Chat:Models:*:TimeoutSeconds", SampleCatalog.Keys);
        Assert.Contains("RagFunctions:Chat:RetrievalTop", SampleCatalog.Keys);
        Assert.Equal(["RagFunctions:AzureSearch:Endpoint"], SampleCatalog.RequiredKeys);
    }

    [Theory]
    [InlineData("RagFunctions__Chat__Models__0__Nmae")]     // typo under an existing options class
    [InlineData("RagFunctions__Nowhere__Key")]              // no options class and not in the contract
    [InlineData("WEBSITE_SOMETHING")]                       // neither runtime nor RagFunctions
    public void A_setting_nobody_reads_is_reported(string setting) =>
        Assert.Single(InfraRules.UnreadAppSettings("f.bicep", [setting], Runtime, SampleCatalog, SampleContract));

    [Fact]
    public void Runtime_reflected_and_contracted_pending_settings_pass() =>
        Assert.Empty(InfraRules.UnreadAppSettings("f.bicep",
            ["AzureWebJobsStorage__accountName", "RagFunctions__Chat__Models__0__Name", "RagFunctions__AzureSearch__IndexName", "RagFunctions__Cosmos__Endpoint"],
            Runtime, SampleCatalog, SampleContract));

    [Fact]
    public void A_contracted_setting_the_bicep_never_sets_and_an_uncontracted_one_it_sets_are_reported()
    {
        var violations = InfraRules.ContractMismatches("f.bicep",
            ["AzureWebJobsStorage__accountName", "RagFunctions__AzureSearch__Endpoint", "RagFunctions__Extra__Key"], SampleContract).ToList();
        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Message.Contains("RagFunctions__Cosmos__Endpoint", StringComparison.Ordinal));
        Assert.Contains(violations, v => v.Message.Contains("RagFunctions__Extra__Key", StringComparison.Ordinal));
    }

    [Fact]
    public void A_required_option_the_bicep_never_sets_is_reported()
    {
        Assert.Single(InfraRules.RequiredOptionsNotSet("f.bicep", ["RagFunctions__AzureSearch__IndexName"], SampleCatalog));
        Assert.Empty(InfraRules.RequiredOptionsNotSet("f.bicep", ["RagFunctions__AzureSearch__Endpoint"], SampleCatalog));
    }
}
