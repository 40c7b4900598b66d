using System.Reflection;
using System.Text.Json;
using RagFunctions.App.Ingestion;

namespace RagFunctions.App.Tests.Metadata;

/// <summary>One binding of a function in the Worker SDK's generated <c>functions.metadata</c>.</summary>
public sealed record FunctionBinding(string Name, string Type, string Direction, JsonElement Json)
{
    public string? Property(string name) =>
        Json.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public IReadOnlyList<string> Methods =>
        Json.TryGetProperty("methods", out var methods) ? [.. methods.EnumerateArray().Select(m => m.GetString()!.ToUpperInvariant())] : [];
}

/// <summary>A function as the Functions host will index it.</summary>
public sealed record FunctionEntry(string Name, string EntryPoint, IReadOnlyList<FunctionBinding> Bindings)
{
    public FunctionBinding Trigger => Bindings.Single(b => b.Type.EndsWith("Trigger", StringComparison.Ordinal));
}

/// <summary>Reads <c>functions.metadata</c> from RagFunctions.App's build output (same configuration as this test build).</summary>
public static class FunctionsMetadata
{
    public static string OutputDirectory
    {
        get
        {
            // .../tests/RagFunctions.App.Tests/bin/<Configuration>/<tfm>/
            var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            var configuration = tfm.Parent!.Name;
            return Path.Combine(Repository.Root, "functions", "RagFunctions.App", "bin", configuration, tfm.Name);
        }
    }

    /// <summary>Whether this build of the app includes the messaging triggers (the csproj records the MSBuild property).</summary>
    public static bool MessagingTriggersBuilt =>
        typeof(DocumentBlobFunctions).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "IncludeMessagingTriggers").Value == "true";

    public static IReadOnlyList<FunctionEntry> Load()
    {
        var path = Path.Combine(OutputDirectory, "functions.metadata");
        Assert.True(File.Exists(path), $"{path} is missing: build functions/RagFunctions.App first");
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        return
        [
            .. document.RootElement.EnumerateArray().Select(f => new FunctionEntry(
                f.GetProperty("name").GetString()!,
                f.GetProperty("entryPoint").GetString()!,
                [.. f.GetProperty("bindings").EnumerateArray().Select(b => new FunctionBinding(
                    b.GetProperty("name").GetString()!,
                    b.GetProperty("type").GetString()!,
                    b.GetProperty("direction").GetString()!,
                    b.Clone()))])),
        ];
    }
}
