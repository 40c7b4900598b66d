using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RagFunctions.Infra.Tests;

/// <summary>A parameter of a compiled ARM template (what Bicep emitted, not what a regex guessed).</summary>
public sealed record TemplateParameter(string Name, JsonElement Definition)
{
    public string Type => Definition.GetProperty("type").GetString()!;

    /// <summary>Required: no default and not nullable (<c>param x string?</c> compiles to <c>"nullable": true</c>).</summary>
    public bool Required => !Definition.TryGetProperty("defaultValue", out _)
        && !(Definition.TryGetProperty("nullable", out var nullable) && nullable.ValueKind == JsonValueKind.True);
}

/// <summary>
/// Rules over the compiled template (<c>bicep build</c> output) as pure functions over JSON and script text, so each runs on the
/// repository's files (must find nothing) and on a small bad sample (must find the defect).
/// </summary>
public static partial class TemplateRules
{
    /// <summary>Variables azd itself puts in the environment of hooks and parameter substitution (azd's environment:
    /// learn.microsoft.com/azure/developer/azure-developer-cli/manage-environment-variables).</summary>
    public static readonly IReadOnlySet<string> AzdVariables = new HashSet<string>(StringComparer.Ordinal)
    {
        "AZURE_ENV_NAME", "AZURE_LOCATION", "AZURE_SUBSCRIPTION_ID", "AZURE_PRINCIPAL_ID",
    };

    public static IReadOnlyList<TemplateParameter> Parameters(string templateJson)
    {
        using var doc = JsonDocument.Parse(templateJson);
        return doc.RootElement.TryGetProperty("parameters", out var parameters)
            ? [.. parameters.EnumerateObject().Select(p => new TemplateParameter(p.Name, p.Value.Clone()))]
            : [];
    }

    public static IReadOnlyList<string> Outputs(string templateJson)
    {
        using var doc = JsonDocument.Parse(templateJson);
        return doc.RootElement.TryGetProperty("outputs", out var outputs) ? [.. outputs.EnumerateObject().Select(o => o.Name)] : [];
    }

    /// <summary>
    /// The parameter file against the compiled template: every value names a declared parameter (else the deployment fails),
    /// every required parameter has a value (else azd prompts, or fails in CI), and every literal or azd default
    /// (<c>${VAR=default}</c>) is valid for its parameter: type, allowed values, range, length.
    /// </summary>
    public static IEnumerable<Violation> ParameterFileMismatches(string templateFile, string templateJson, string parametersFile, string parametersJson)
    {
        var declared = Parameters(templateJson).ToDictionary(p => p.Name, StringComparer.Ordinal);
        using var doc = JsonDocument.Parse(parametersJson);
        var supplied = doc.RootElement.GetProperty("parameters").EnumerateObject().ToList();
        foreach (var value in supplied)
        {
            if (!declared.TryGetValue(value.Name, out var parameter))
            {
                yield return new Violation(parametersFile, 1, $"parameter '{value.Name}' is not a parameter of {templateFile}");
                continue;
            }

            if (EffectiveValue(value.Value) is { } effective && Invalid(parameter, effective) is { } problem)
            {
                yield return new Violation(parametersFile, 1, $"parameter '{value.Name}': {problem}");
            }
        }

        foreach (var parameter in declared.Values.Where(p => p.Required && supplied.All(s => s.Name != p.Name)))
        {
            yield return new Violation(templateFile, 1, $"required parameter '{parameter.Name}' has no value in {parametersFile}");
        }
    }

    /// <summary>
    /// Environment variables a hook reads that nothing provides: each must be an output of the template (azd writes outputs to
    /// the environment), a variable azd sets itself, one the parameter file substitutes (a user knob), or one a hook stores
    /// with <c>azd env set</c>.
    /// </summary>
    public static IEnumerable<Violation> UnprovidedHookVariables(string hookFile, string script, IReadOnlyCollection<string> outputs, IReadOnlySet<string> alsoProvided)
    {
        var assignedHere = LocalAssignment().Matches(script).Select(m => m.Groups["name"].Value).ToHashSet(StringComparer.Ordinal);
        var lines = script.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            foreach (Match m in VariableRead().Matches(line))
            {
                var name = m.Groups["name"].Value;
                if (!outputs.Contains(name) && !alsoProvided.Contains(name) && !AzdVariables.Contains(name) && !assignedHere.Contains(name))
                {
                    yield return new Violation(hookFile, i + 1, $"reads ${name}, which is no output of main.bicep, no azd variable and never set with 'azd env set'");
                }
            }
        }
    }

    /// <summary>Names a hook stores in the azd environment (<c>azd env set NAME value</c>).</summary>
    public static IEnumerable<string> AzdEnvSets(string script) => AzdEnvSet().Matches(script).Select(m => m.Groups["name"].Value);

    /// <summary>Names the parameter file substitutes from the environment (<c>${NAME}</c>, <c>${NAME=default}</c>).</summary>
    public static IEnumerable<string> ParameterFileVariables(string parametersJson) =>
        AzdSubstitution().Matches(parametersJson).Select(m => m.Groups["name"].Value);

    /// <summary>Resource types that hold data or telemetry, and the property (under <c>properties</c>) and literal value that
    /// turn their keys off.</summary>
    public static readonly IReadOnlyDictionary<string, (string Property, bool Value)> LocalAuthOff =
        new Dictionary<string, (string, bool)>(StringComparer.OrdinalIgnoreCase)
        {
            ["Microsoft.Storage/storageAccounts"] = ("allowSharedKeyAccess", false),
            ["Microsoft.DocumentDB/databaseAccounts"] = ("disableLocalAuth", true),
            ["Microsoft.Search/searchServices"] = ("disableLocalAuth", true),
            ["Microsoft.CognitiveServices/accounts"] = ("disableLocalAuth", true),
            ["Microsoft.ServiceBus/namespaces"] = ("disableLocalAuth", true),
            ["Microsoft.Insights/components"] = ("DisableLocalAuth", true),
        };

    /// <summary>The resources a compiled template declares itself (array or symbolic-name form), without <c>existing</c>
    /// references and without descending into module deployments (each module is compiled and checked on its own).</summary>
    public static IReadOnlyList<(string Name, JsonElement Resource)> DeclaredResources(string templateJson)
    {
        using var doc = JsonDocument.Parse(templateJson);
        if (!doc.RootElement.TryGetProperty("resources", out var resources))
        {
            return [];
        }

        var all = resources.ValueKind == JsonValueKind.Array
            ? resources.EnumerateArray().Select((r, i) => (Name: r.TryGetProperty("name", out var n) ? n.GetRawText() : $"#{i}", Resource: r.Clone()))
            : resources.EnumerateObject().Select(r => (Name: r.Name, Resource: r.Value.Clone()));
        return [.. all.Where(r => !(r.Resource.TryGetProperty("existing", out var e) && e.ValueKind == JsonValueKind.True))];
    }

    /// <summary>Each declared resource of a type in <see cref="LocalAuthOff"/> sets its property to the literal value; an
    /// expression (a parameter, a condition) does not count, because nothing then guarantees the keys are off.</summary>
    public static IEnumerable<Violation> LocalAuthEnabled(string file, string templateJson)
    {
        foreach (var (name, resource) in DeclaredResources(templateJson))
        {
            var type = resource.GetProperty("type").GetString()!;
            if (!LocalAuthOff.TryGetValue(type, out var required))
            {
                continue;
            }

            var value = resource.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object
                ? properties.EnumerateObject().FirstOrDefault(p => string.Equals(p.Name, required.Property, StringComparison.OrdinalIgnoreCase)).Value
                : default;
            var expected = required.Value ? JsonValueKind.True : JsonValueKind.False;
            if (value.ValueKind != expected)
            {
                var found = value.ValueKind == JsonValueKind.Undefined ? "nothing" : value.GetRawText();
                yield return new Violation(file, 1,
                    $"{type} {name} sets properties.{required.Property} to {found}, not {(required.Value ? "true" : "false")}");
            }
        }
    }

    /// <summary>What azd passes when the environment lacks the variable: the literal, or the <c>=default</c> of a substitution;
    /// null when the value comes only from the environment.</summary>
    private static JsonElement? EffectiveValue(JsonElement entry)
    {
        if (!entry.TryGetProperty("value", out var value))
        {
            return null; // a Key Vault reference
        }

        if (value.ValueKind != JsonValueKind.String || !value.GetString()!.Contains("${", StringComparison.Ordinal))
        {
            return value;
        }

        var m = AzdSubstitutionWhole().Match(value.GetString()!);
        return m.Success && m.Groups["default"].Success ? JsonSerializer.SerializeToElement(m.Groups["default"].Value) : null;
    }

    private static string? Invalid(TemplateParameter parameter, JsonElement value)
    {
        var d = parameter.Definition;
        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        switch (parameter.Type.ToLowerInvariant())
        {
            case "int":
                if (!long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    return $"'{text}' is not an int";
                }

                if (d.TryGetProperty("minValue", out var min) && number < min.GetInt64())
                {
                    return $"{number} is below minValue {min.GetInt64()}";
                }

                if (d.TryGetProperty("maxValue", out var max) && number > max.GetInt64())
                {
                    return $"{number} is above maxValue {max.GetInt64()}";
                }

                break;
            case "bool":
                if (!bool.TryParse(text, out _))
                {
                    return $"'{text}' is not a bool";
                }

                break;
            case "string" or "securestring":
                if (d.TryGetProperty("minLength", out var minLength) && text.Length < minLength.GetInt32())
                {
                    return $"'{text}' is shorter than minLength {minLength.GetInt32()}";
                }

                if (d.TryGetProperty("maxLength", out var maxLength) && text.Length > maxLength.GetInt32())
                {
                    return $"'{text}' is longer than maxLength {maxLength.GetInt32()}";
                }

                break;
        }

        if (d.TryGetProperty("allowedValues", out var allowed)
            && !allowed.EnumerateArray().Any(a => string.Equals(a.ValueKind == JsonValueKind.String ? a.GetString() : a.GetRawText(), text, StringComparison.Ordinal)))
        {
            return $"'{text}' is not one of the allowed values {allowed.GetRawText()}";
        }

        return null;
    }

    [GeneratedRegex(@"^\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}$")]
    private static partial Regex AzdSubstitutionWhole();

    [GeneratedRegex(@"\$\{(?<name>[A-Za-z_][A-Za-z0-9_]*)(=(?<default>[^}]*))?\}")]
    private static partial Regex AzdSubstitution();

    /// <summary><c>$NAME</c>, <c>${NAME}</c>, <c>${NAME:-x}</c>, … for upper-case names (locals are lower-case by convention);
    /// not an escaped <c>\$</c>.</summary>
    [GeneratedRegex(@"(?<!\\)\$\{?(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex VariableRead();

    [GeneratedRegex(@"^\s*(export\s+)?(?<name>[A-Z][A-Z0-9_]*)=", RegexOptions.Multiline)]
    private static partial Regex LocalAssignment();

    [GeneratedRegex(@"\bazd\s+env\s+set\s+(?<name>[A-Z][A-Z0-9_]*)")]
    private static partial Regex AzdEnvSet();
}
