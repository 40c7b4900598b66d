using System.Text.Json;
using System.Text.RegularExpressions;

namespace RagFunctions.Infra.Tests;

/// <summary>One broken rule, located well enough to fix it.</summary>
public sealed record Violation(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}

/// <summary>
/// The infrastructure rules as pure functions over file text, so each rule runs both on the repository's
/// files (must find nothing) and on a small bad snippet (must find the defect). These read the source the way a reviewer
/// would and stay deliberately strict; what the compiler knows better (parameters, outputs, diagnostics) is checked on the
/// compiled template instead (<see cref="TemplateRules"/>, <see cref="BicepTemplateTests"/>).
/// </summary>
public static partial class InfraRules
{
    // ---------- role definition GUIDs ----------

    /// <summary>Every GUID literal in a .bicep file must be a known role definition id: Bicep needs no other
    /// GUID literals (assignment names come from guid()), so an unknown one is a mistyped or invented role.</summary>
    public static IEnumerable<Violation> UnknownRoleGuids(string file, string bicep)
    {
        foreach (Match m in GuidLiteral().Matches(StripComments(bicep)))
        {
            if (!BuiltInRoles.Contains(m.Value))
            {
                yield return new Violation(file, LineOf(bicep, m.Index),
                    $"GUID {m.Value} is not in BuiltInRoles; look the role up in the Azure built-in roles reference");
            }
        }
    }

    // ---------- key material ----------

    /// <summary>
    /// Forbids Bicep list*() calls (listKeys, listConnectionStrings, listAccountSas, listQueryKeys, ...) and the
    /// method form (storage.listKeys()) — they return data-plane secrets of storage, Cosmos, Search, OpenAI or
    /// Service Bus. The one exception is listKeys on a function app's host (".../host/default"): that returns
    /// Functions host keys (the blobs_extension system key Event Grid must put in its webhook URL, since Event
    /// Grid cannot deliver to that endpoint with a managed identity); it grants no access to any data service.
    /// </summary>
    public static IEnumerable<Violation> KeyListingCalls(string file, string bicep)
    {
        var code = StripComments(bicep);
        foreach (Match m in ListCall().Matches(code))
        {
            var args = ArgumentsAfter(code, m.Index + m.Length - 1);
            var functionHostKeys = m.Groups[1].Value == "listKeys" && args.Contains("/host/default", StringComparison.Ordinal);
            if (!functionHostKeys)
            {
                yield return new Violation(file, LineOf(bicep, m.Index),
                    $"{m.Groups[1].Value}() reads secrets; use managed identity + RBAC (only listKeys on '<site>/host/default' is allowed)");
            }
        }
    }

    /// <summary>Connection strings that embed a shared key (storage AccountKey, Service Bus/Event Hubs SharedAccessKey).</summary>
    public static IEnumerable<Violation> KeyedConnectionStrings(string file, string text)
    {
        foreach (Match m in KeyedConnectionString().Matches(text))
        {
            yield return new Violation(file, LineOf(text, m.Index), $"connection string with '{m.Value}': use identity-based connections");
        }
    }

    /// <summary>Hook scripts must not fetch data-plane keys either; `az functionapp keys list` (host keys) is allowed.</summary>
    public static IEnumerable<Violation> KeyFetchingCommands(string file, string script)
    {
        foreach (var pattern in ForbiddenCliPatterns)
        {
            foreach (Match m in pattern.Matches(script))
            {
                yield return new Violation(file, LineOf(script, m.Index), $"'{m.Value.Trim()}' uses or reads a data-plane key");
            }
        }
    }

    private static readonly Regex[] ForbiddenCliPatterns =
    [
        new(@"az\s+storage\s+account\s+keys\b", RegexOptions.IgnoreCase),
        new(@"az\s+storage\s+account\s+show-connection-string\b", RegexOptions.IgnoreCase),
        new(@"--account-key\b", RegexOptions.IgnoreCase),
        new(@"--auth-mode\s+key\b", RegexOptions.IgnoreCase),
        new(@"--connection-string\b", RegexOptions.IgnoreCase),
        new(@"az\s+cosmosdb\s+keys\b", RegexOptions.IgnoreCase),
        new(@"az\s+search\s+(admin|query)-key\b", RegexOptions.IgnoreCase),
        new(@"az\s+cognitiveservices\s+account\s+keys\b", RegexOptions.IgnoreCase),
        new(@"az\s+servicebus\s+[^\n]*authorization-rule\s+keys\b", RegexOptions.IgnoreCase),
    ];

    // ---------- azure.yaml ----------

    public static IReadOnlyList<(string Project, int Line)> AzureYamlProjects(string yaml) =>
        [.. YamlProject().Matches(yaml).Select(m => (m.Groups[1].Value, LineOf(yaml, m.Index)))];

    /// <summary>Each service's project must be an existing folder holding a .csproj (azd builds it with dotnet publish).</summary>
    public static IEnumerable<Violation> MissingServiceProjects(string file, string yaml, string repoRoot)
    {
        var projects = AzureYamlProjects(yaml);
        if (projects.Count == 0)
        {
            yield return new Violation(file, 1, "no services.*.project entry");
        }

        foreach (var (project, line) in projects)
        {
            var dir = Path.GetFullPath(Path.Combine(repoRoot, project));
            if (!Directory.Exists(dir) || Directory.GetFiles(dir, "*.csproj").Length == 0)
            {
                yield return new Violation(file, line, $"project '{project}' is not a folder with a .csproj under {repoRoot}");
            }
        }
    }

    // ---------- app settings ----------

    /// <summary>Top-level keys of the `var appSettings = { ... }` object in a Bicep file.</summary>
    public static IReadOnlyList<string> AppSettingNames(string bicep)
    {
        var code = StripComments(bicep);
        var start = AppSettingsVar().Match(code);
        if (!start.Success)
        {
            return [];
        }

        var body = BodyAfter(code, start.Index + start.Length - 1);
        var names = new List<string>();
        var depth = 0;
        foreach (var line in body.Split('\n'))
        {
            if (depth == 1 && ObjectKey().Match(line) is { Success: true } key)
            {
                names.Add(key.Groups[1].Value);
            }

            depth += line.Count(c => c == '{') - line.Count(c => c == '}');
        }

        return names;
    }

    /// <summary>`RagFunctions__Chat__Models__0__Name` → `RagFunctions:Chat:Models:*:Name` (collection indexes as *).</summary>
    public static string ToConfigurationPattern(string settingName) =>
        string.Join(':', settingName.Replace("__", ":", StringComparison.Ordinal).Split(':')
            .Select(s => s.All(char.IsAsciiDigit) && s.Length > 0 ? "*" : s));

    /// <summary>
    /// Each app setting must be read by something: the Functions runtime (allow-list), an options class found
    /// by reflection, or — while its options class is not in this branch yet — the committed contract.
    /// </summary>
    public static IEnumerable<Violation> UnreadAppSettings(
        string file, IEnumerable<string> settings, IReadOnlySet<string> runtimeAllowList, OptionKeyCatalog catalog, AppSettingsContract contract)
    {
        foreach (var setting in settings)
        {
            if (runtimeAllowList.Contains(setting))
            {
                continue;
            }

            if (!setting.StartsWith("RagFunctions__", StringComparison.Ordinal))
            {
                yield return new Violation(file, 1, $"'{setting}' is neither a Functions runtime setting nor a RagFunctions option");
                continue;
            }

            var key = ToConfigurationPattern(setting);
            var section = catalog.SectionOf(key);
            if (section is not null)
            {
                if (!catalog.Reads(key))
                {
                    yield return new Violation(file, 1, $"'{setting}': no property of the options class for {section} reads {key}");
                }
            }
            else if (!contract.Options.Select(ToConfigurationPattern).Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                yield return new Violation(file, 1, $"'{setting}': no options class declares its section and infra/app-settings.contract.json does not list it");
            }
        }
    }

    /// <summary>The Bicep sets exactly the contract: nothing required is missing, nothing unlisted is added.</summary>
    public static IEnumerable<Violation> ContractMismatches(string file, IReadOnlyCollection<string> settings, AppSettingsContract contract)
    {
        var expected = contract.Runtime.Concat(contract.Options.Select(o => o.Replace(":", "__", StringComparison.Ordinal))).ToList();
        foreach (var missing in expected.Where(e => !settings.Contains(e, StringComparer.OrdinalIgnoreCase)))
        {
            yield return new Violation(file, 1, $"required setting '{missing}' (infra/app-settings.contract.json) is never set");
        }

        foreach (var extra in settings.Where(s => !expected.Contains(s, StringComparer.OrdinalIgnoreCase)))
        {
            yield return new Violation(file, 1, $"setting '{extra}' is not in infra/app-settings.contract.json");
        }
    }

    /// <summary>Options properties marked [Required] must be set on Azure.</summary>
    public static IEnumerable<Violation> RequiredOptionsNotSet(string file, IEnumerable<string> settings, OptionKeyCatalog catalog)
    {
        var set = settings.Select(ToConfigurationPattern).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var key in catalog.RequiredKeys.Where(k => !set.Contains(k)))
        {
            yield return new Violation(file, 1, $"{key} is [Required] by its options class but never set");
        }
    }

    // ---------- text helpers ----------

    /// <summary>Removes // and /* */ comments outside '…' strings, keeping offsets (comment chars become spaces).</summary>
    public static string StripComments(string text)
    {
        var chars = text.ToCharArray();
        var inString = false;
        for (var i = 0; i < chars.Length; i++)
        {
            if (chars[i] == '\'' )
            {
                inString = !inString;
            }
            else if (!inString && chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '/')
            {
                while (i < chars.Length && chars[i] != '\n')
                {
                    chars[i++] = ' ';
                }
            }
            else if (!inString && chars[i] == '/' && i + 1 < chars.Length && chars[i + 1] == '*')
            {
                while (i < chars.Length && !(chars[i] == '*' && i + 1 < chars.Length && chars[i + 1] == '/'))
                {
                    chars[i] = chars[i] == '\n' ? '\n' : ' ';
                    i++;
                }

                if (i + 1 < chars.Length)
                {
                    chars[i] = ' ';
                    chars[i + 1] = ' ';
                    i++;
                }
            }
        }

        return new string(chars);
    }

    private static string BodyAfter(string code, int from)
    {
        var open = code.IndexOf('{', from);
        if (open < 0)
        {
            return string.Empty;
        }

        var depth = 0;
        for (var i = open; i < code.Length; i++)
        {
            depth += code[i] switch { '{' => 1, '}' => -1, _ => 0 };
            if (depth == 0)
            {
                return code[open..(i + 1)];
            }
        }

        return code[open..];
    }

    private static string ArgumentsAfter(string code, int openParen)
    {
        var depth = 0;
        for (var i = openParen; i < code.Length; i++)
        {
            depth += code[i] switch { '(' => 1, ')' => -1, _ => 0 };
            if (depth == 0)
            {
                return code[(openParen + 1)..i];
            }
        }

        return code[(openParen + 1)..];
    }

    private static int LineOf(string text, int index) => text.AsSpan(0, Math.Min(index, text.Length)).Count('\n') + 1;

    [GeneratedRegex(@"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b")]
    private static partial Regex GuidLiteral();

    [GeneratedRegex(@"\b(list[A-Z][A-Za-z]*)\s*\(")]
    private static partial Regex ListCall();

    [GeneratedRegex(@"(AccountKey|SharedAccessKey|SharedAccessKeyName)\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex KeyedConnectionString();

    [GeneratedRegex(@"^\s*project:\s*['""]?([^'""\s#]+)", RegexOptions.Multiline)]
    private static partial Regex YamlProject();

    [GeneratedRegex(@"\bvar\s+appSettings\s*=\s*\{")]
    private static partial Regex AppSettingsVar();

    [GeneratedRegex(@"^\s*'?([A-Za-z_][\w\.\-]*)'?\s*:")]
    private static partial Regex ObjectKey();
}
