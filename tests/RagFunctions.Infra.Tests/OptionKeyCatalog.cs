using System.Collections;
using System.Reflection;
using System.Text.Json;

namespace RagFunctions.Infra.Tests;

/// <summary>
/// Configuration keys the code reads, found by reflection: every public class with
/// <c>public const string Section</c> contributes <c>Section:Property</c> (nested classes recurse,
/// collections become <c>Section:Property:*[:Sub]</c>).
/// </summary>
public sealed class OptionKeyCatalog
{
    private readonly HashSet<string> _keys = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _required = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<string> _sections = [];

    public IReadOnlyCollection<string> Keys => _keys;
    public IReadOnlyCollection<string> RequiredKeys => _required;
    public IReadOnlyList<string> Sections => _sections;

    public static OptionKeyCatalog FromAssemblies(params Assembly[] assemblies) => FromTypes(assemblies.SelectMany(SafeTypes));

    public static OptionKeyCatalog FromTypes(IEnumerable<Type> types)
    {
        var catalog = new OptionKeyCatalog();
        foreach (var type in types.Where(t => t is { IsClass: true, IsPublic: true }))
        {
            var field = type.GetField("Section", BindingFlags.Public | BindingFlags.Static);
            if (field is { IsLiteral: true } && field.FieldType == typeof(string) && field.GetRawConstantValue() is string section)
            {
                catalog._sections.Add(section);
                catalog.AddProperties(type, section, depth: 0);
            }
        }

        return catalog;
    }

    /// <summary>The longest declared section that <paramref name="key"/> falls under, or null.</summary>
    public string? SectionOf(string key) =>
        _sections.Where(s => key.StartsWith(s + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(s => s.Length).FirstOrDefault();

    public bool Reads(string keyPattern) => _keys.Contains(keyPattern);

    private void AddProperties(Type type, string prefix, int depth)
    {
        if (depth > 4)
        {
            return;
        }

        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetMethod is { IsPublic: true }))
        {
            var key = $"{prefix}:{property.Name}";
            if (property.GetCustomAttributes().Any(a => a.GetType().Name == "RequiredAttribute"))
            {
                _required.Add(key);
            }

            AddType(property.PropertyType, key, depth);
        }
    }

    private void AddType(Type type, string key, int depth)
    {
        if (IsScalar(type))
        {
            _keys.Add(key);
        }
        else if (ElementType(type) is { } element)
        {
            AddType(element, key + ":*", depth + 1);
        }
        else if (type.IsClass)
        {
            AddProperties(type, key, depth + 1);
        }
    }

    private static bool IsScalar(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(TimeSpan)
            || t == typeof(DateTime) || t == typeof(DateTimeOffset) || t == typeof(Guid) || t == typeof(Uri);
    }

    private static Type? ElementType(Type type)
    {
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type))
        {
            return null;
        }

        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var generic = type.GetInterfaces().Append(type)
            .FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        var element = generic?.GetGenericArguments()[0];
        // Dictionary<string, T> binds as Section:Property:{key}:… — same shape as a list.
        return element is { IsGenericType: true } kv && kv.GetGenericTypeDefinition() == typeof(KeyValuePair<,>)
            ? kv.GetGenericArguments()[1]
            : element;
    }

    private static IEnumerable<Type> SafeTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetExportedTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}

/// <summary>infra/app-settings.contract.json: what the Bicep must set (runtime settings + RagFunctions options).</summary>
public sealed record AppSettingsContract(IReadOnlyList<string> Runtime, IReadOnlyList<string> Options)
{
    public static AppSettingsContract Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        static List<string> Read(JsonElement root, string name) =>
            [.. root.GetProperty(name).EnumerateArray().Select(e => e.GetString() ?? string.Empty)];
        return new AppSettingsContract(Read(doc.RootElement, "runtime"), Read(doc.RootElement, "options"));
    }
}
