namespace RagFunctions.Infra.Tests;

/// <summary>The compiled-template checks on small bad samples: each must find the defect (and the nearest good one nothing).</summary>
public sealed class BicepTemplateNegativeTests
{
    private const string Template = """
        {
          "parameters": {
            "environmentName": { "type": "string", "minLength": 1 },
            "authClientId": { "type": "string", "minLength": 36 },
            "location": { "type": "string", "defaultValue": "westeurope" },
            "maybe": { "type": "string", "nullable": true },
            "memory": { "type": "int", "defaultValue": 2048, "allowedValues": [512, 2048, 4096] },
            "instances": { "type": "int", "defaultValue": 10, "minValue": 1, "maxValue": 100 },
            "enabled": { "type": "bool", "defaultValue": false }
          },
          "outputs": {
            "AZURE_FUNCTION_APP_NAME": { "type": "string", "value": "x" },
            "AZURE_RESOURCE_GROUP": { "type": "string", "value": "rg" }
          }
        }
        """;

    [Fact]
    public void An_undeclared_parameter_value_and_a_missing_required_parameter_are_reported()
    {
        const string parameters = """{ "parameters": { "environmentName": { "value": "${AZURE_ENV_NAME}" }, "typo": { "value": 1 } } }""";

        var violations = TemplateRules.ParameterFileMismatches("main.bicep", Template, "main.parameters.json", parameters).ToList();

        Assert.Equal(2, violations.Count);
        Assert.Contains(violations, v => v.Message.Contains("'typo'", StringComparison.Ordinal) && v.File == "main.parameters.json");
        Assert.Contains(violations, v => v.Message.Contains("'authClientId'", StringComparison.Ordinal) && v.File == "main.bicep");
    }

    [Fact]
    public void Required_parameters_from_the_environment_and_valid_defaults_pass()
    {
        const string parameters = """
            { "parameters": {
                "environmentName": { "value": "${AZURE_ENV_NAME}" },
                "authClientId": { "value": "${AZURE_AUTH_CLIENT_ID}" },
                "memory": { "value": "${FUNCTION_INSTANCE_MEMORY_MB=4096}" },
                "instances": { "value": 40 },
                "enabled": { "value": "${ENABLED=true}" } } }
            """;

        Assert.Empty(TemplateRules.ParameterFileMismatches("main.bicep", Template, "main.parameters.json", parameters));
    }

    [Theory]
    [InlineData("memory", "\"${FUNCTION_INSTANCE_MEMORY_MB=1024}\"", "allowed values")]
    [InlineData("instances", "\"${MAX=500}\"", "maxValue")]
    [InlineData("instances", "0", "minValue")]
    [InlineData("instances", "\"${MAX=many}\"", "not an int")]
    [InlineData("enabled", "\"${ENABLED=yes}\"", "not a bool")]
    [InlineData("authClientId", "\"${AZURE_AUTH_CLIENT_ID=short}\"", "minLength")]
    public void A_default_the_template_would_refuse_is_reported(string name, string value, string expected)
    {
        var parameters = $$"""{ "parameters": { "environmentName": { "value": "e" }, "authClientId": { "value": "${X}" }, "{{name}}": { "value": {{value}} } } }""";

        var violation = Assert.Single(TemplateRules.ParameterFileMismatches("main.bicep", Template, "main.parameters.json", parameters));

        Assert.Contains($"'{name}'", violation.Message, StringComparison.Ordinal);
        Assert.Contains(expected, violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hook_reading_a_variable_nothing_provides_is_reported_with_its_line()
    {
        const string hook = """
            #!/bin/sh
            # ${AZURE_IN_A_COMMENT} is not read
            echo "${AZURE_FUNCTION_APP_NAME} in $AZURE_RESOURCE_GROUP"
            az functionapp show -n "${AZURE_FUNCTIONAPP_NAME}" -g "${AZURE_RESOURCE_GROUP}"
            """;
        var outputs = TemplateRules.Outputs(Template);

        var violation = Assert.Single(TemplateRules.UnprovidedHookVariables("postdeploy.sh", hook, outputs, new HashSet<string>()));

        Assert.Equal(4, violation.Line);
        Assert.Contains("AZURE_FUNCTIONAPP_NAME", violation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Azd_variables_env_sets_parameter_file_knobs_locals_and_escapes_are_provided()
    {
        const string hook = """
            #!/bin/sh
            APP_ID=$(az ad app list --query "[0].appId" -o tsv)
            echo "$AZURE_ENV_NAME $AZURE_SUBSCRIPTION_ID ${DOCUMENTS_EVENT_SUBSCRIPTION_ENABLED:-false} ${AZURE_CORS_ALLOWED_ORIGINS:-} $APP_ID"
            echo "\$(az account get-access-token)"
            azd env set DOCUMENTS_EVENT_SUBSCRIPTION_ENABLED true
            """;
        var provided = TemplateRules.AzdEnvSets(hook)
            .Concat(TemplateRules.ParameterFileVariables("""{ "parameters": { "cors": { "value": "${AZURE_CORS_ALLOWED_ORIGINS=}" } } }"""))
            .ToHashSet(StringComparer.Ordinal);

        Assert.Empty(TemplateRules.UnprovidedHookVariables("h.sh", hook, TemplateRules.Outputs(Template), provided));
    }

    [Theory]
    [InlineData("""[{ "type": "Microsoft.Storage/storageAccounts", "name": "st", "properties": { "minimumTlsVersion": "TLS1_2" } }]""")]
    [InlineData("""[{ "type": "Microsoft.Storage/storageAccounts", "name": "st", "properties": { "allowSharedKeyAccess": true } }]""")]
    [InlineData("""[{ "type": "Microsoft.DocumentDB/databaseAccounts", "name": "c", "properties": { "locations": [ { "disableLocalAuth": true } ] } }]""")]
    [InlineData("""[{ "type": "Microsoft.Search/searchServices", "name": "s", "properties": { "disableLocalAuth": "[parameters('keys')]" } }]""")]
    [InlineData("""[{ "type": "Microsoft.CognitiveServices/accounts", "name": "o", "kind": "OpenAI" }]""")]
    [InlineData("""{ "sb": { "type": "Microsoft.ServiceBus/namespaces", "name": "sb", "properties": { "disableLocalAuth": false } } }""")]
    [InlineData("""[{ "type": "Microsoft.Insights/components", "name": "ai", "properties": { "disableLocalAuth": "true" } }]""")]
    public void A_data_resource_with_local_auth_on_is_reported(string resources) =>
        Assert.Single(TemplateRules.LocalAuthEnabled("x.json", $$"""{ "resources": {{resources}} }"""));

    [Fact]
    public void Literal_settings_pass_and_existing_references_and_child_resources_are_not_checked()
    {
        const string template = """
            { "resources": {
                "st": { "type": "Microsoft.Storage/storageAccounts", "name": "st", "properties": { "allowSharedKeyAccess": false } },
                "ai": { "type": "Microsoft.Insights/components", "name": "ai", "properties": { "DisableLocalAuth": true } },
                "old": { "existing": true, "type": "Microsoft.Search/searchServices", "name": "old" },
                "blobs": { "type": "Microsoft.Storage/storageAccounts/blobServices", "name": "[format('{0}/default', 'st')]" } } }
            """;

        Assert.Empty(TemplateRules.LocalAuthEnabled("x.json", template));
        Assert.Equal(3, TemplateRules.DeclaredResources(template).Count);
    }

    [Fact]
    public void The_cli_reports_a_compile_error_and_a_linter_warning_and_the_checks_see_them()
    {
        var dir = Directory.CreateTempSubdirectory("ragfunctions-bicep-negative-");
        try
        {
            File.WriteAllText(Path.Combine(dir.FullName, "broken.bicep"), "param name string\nresource x 'Microsoft.Storage/storageAccounts@2023-05-01' = {\n  name: name\n  location: \n}\n");
            File.WriteAllText(Path.Combine(dir.FullName, "unused.bicep"), "param unusedParameter string\n");

            var build = BicepCli.Run(dir.FullName, "build", "--no-restore", "--pattern", "*.bicep", "--outdir", Path.Combine(dir.FullName, "out"));
            var lint = BicepCli.Run(dir.FullName, "lint", "--no-restore", "--pattern", "*.bicep");

            Assert.NotEqual(0, build.ExitCode);
            Assert.Contains(build.Findings, d => d.Level == "Error" && d.File.EndsWith("broken.bicep", StringComparison.Ordinal) && d.Line == 4);
            Assert.Contains(lint.Findings, d => d.Level == "Warning" && d.Code == "no-unused-params" && d.File.EndsWith("unused.bicep", StringComparison.Ordinal));
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
