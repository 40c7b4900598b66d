using Xunit.Abstractions;

namespace RagFunctions.Infra.Tests;

/// <summary>The infrastructure compiles and lints clean with the real Bicep CLI, and the parameter file and the azd hooks agree
/// with the compiled template.</summary>
public sealed class BicepTemplateTests(CompiledInfra infra, ITestOutputHelper output) : IClassFixture<CompiledInfra>
{
    [Fact]
    public void Every_template_builds_without_errors_or_warnings()
    {
        // The elapsed time is a printed figure, not a goal (performance goals live in the benchmarks).
        output.WriteLine($"{BicepCli.Path}, {infra.Templates.Count} templates");
        output.WriteLine(infra.Build.ToString());
        Assert.True(infra.Build.ExitCode == 0 && infra.Build.Findings.Count == 0, infra.Build.ToString());
        var sources = RepoFiles.BicepFiles().Select(f => Path.ChangeExtension(Path.GetRelativePath(RepoFiles.InfraDir, f), ".json").Replace('\\', '/'));
        Assert.Equal(sources.Order(StringComparer.Ordinal), infra.Templates.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_template_lints_without_errors_or_warnings()
    {
        output.WriteLine(infra.Lint.ToString());
        Assert.True(infra.Lint.ExitCode == 0 && infra.Lint.Findings.Count == 0, infra.Lint.ToString());
    }

    [Fact]
    public void Main_parameters_file_matches_the_compiled_template() =>
        AssertNone(TemplateRules.ParameterFileMismatches("infra/main.bicep", infra.MainTemplate,
            "infra/main.parameters.json", RepoFiles.Read("infra/main.parameters.json")));

    [Fact]
    public void Hooks_read_only_template_outputs_and_azd_variables()
    {
        var outputs = TemplateRules.Outputs(infra.MainTemplate);
        var hooks = RepoFiles.HookScripts();
        Assert.NotEmpty(hooks);
        var alsoProvided = hooks.SelectMany(h => TemplateRules.AzdEnvSets(File.ReadAllText(h)))
            .Concat(TemplateRules.ParameterFileVariables(RepoFiles.Read("infra/main.parameters.json")))
            .ToHashSet(StringComparer.Ordinal);
        AssertNone(hooks.SelectMany(h => TemplateRules.UnprovidedHookVariables(RepoFiles.Relative(h), File.ReadAllText(h), outputs, alsoProvided)).ToList());
    }

    [Fact]
    public void Every_data_resource_disables_local_auth() =>
        AssertNone(infra.Templates.SelectMany(t => TemplateRules.LocalAuthEnabled("compiled " + t.Key, t.Value)).ToList());

    [Fact]
    public void Each_local_auth_rule_applies_to_a_resource_the_templates_declare()
    {
        // Without this the local-auth rule could pass because a resource type was renamed away from its table entry.
        var declared = infra.Templates.Values.SelectMany(TemplateRules.DeclaredResources)
            .Select(r => r.Resource.GetProperty("type").GetString()!)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.All(TemplateRules.LocalAuthOff.Keys, type => Assert.Contains(type, declared));
    }

    private static void AssertNone(IEnumerable<Violation> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, string.Join(Environment.NewLine, list));
    }
}
