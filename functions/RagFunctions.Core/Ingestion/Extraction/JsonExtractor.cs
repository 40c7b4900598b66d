using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.json: flattened to "path: value" lines. A top-level array gives one Record per item (paths relative to
/// the item); a top-level object gives one Record per property, except that a property holding an array of objects
/// gives one Record per element. A top-level "title" or "name" string is the title.</summary>
public sealed class JsonExtractor(IOptions<IngestionLimits>? limits = null) : IDocumentExtractor
{
    private readonly IngestionLimits _limits = limits?.Value ?? new IngestionLimits();

    public IReadOnlyCollection<string> Extensions { get; } = [".json"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var text = await StreamBytes.ReadTextAsync(content, cancellationToken).ConfigureAwait(false);
        using var document = ParseJson(text, _limits.MaxNestingDepth);
        var root = document.RootElement;
        var collector = new BlockCollector();
        string? title = null;

        switch (root.ValueKind)
        {
            case JsonValueKind.Array:
                foreach (var item in root.EnumerateArray())
                {
                    collector.Add(Flatten(item, prefix: string.Empty), BlockKind.Record);
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in root.EnumerateObject())
                {
                    if (title is null && property.Value.ValueKind == JsonValueKind.String
                        && property.Name.ToLowerInvariant() is "title" or "name")
                    {
                        title = property.Value.GetString();
                    }

                    if (property.Value.ValueKind == JsonValueKind.Array
                        && property.Value.EnumerateArray().Any(e => e.ValueKind == JsonValueKind.Object))
                    {
                        var index = 0;
                        foreach (var item in property.Value.EnumerateArray())
                        {
                            collector.Add(Flatten(item, $"{property.Name}[{index++}]"), BlockKind.Record);
                        }
                    }
                    else
                    {
                        collector.Add(Flatten(property.Value, property.Name), BlockKind.Record);
                    }
                }

                break;
            default:
                collector.Add(Flatten(root, prefix: "value"), BlockKind.Record);
                break;
        }

        return collector.Build(title, fileName);
    }

    private static JsonDocument ParseJson(string text, int maxDepth)
    {
        // System.Text.Json enforces the depth while reading (iteratively), so Flatten's recursion below is bounded by it.
        var options = new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = maxDepth };
        try
        {
            return JsonDocument.Parse(text, options);
        }
        catch (JsonException ex) when (ex.Message.Contains("maximum configured depth", StringComparison.Ordinal))
        {
            // System.Text.Json's resource string ArrayDepthTooLarge/ObjectDepthTooLarge: "The maximum configured depth of {0} has been exceeded."
            throw new ExtractionFailedException(
                IngestionLimits.Breach("JSON nesting", maxDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"), ex);
        }
        catch (JsonException ex)
        {
            throw new ExtractionFailedException($"corrupt or unreadable .json: {ex.Message}", ex);
        }
    }

    private static string Flatten(JsonElement element, string prefix)
    {
        var sb = new StringBuilder();
        Append(element, prefix, sb);
        return sb.ToString();
    }

    private static void Append(JsonElement element, string path, StringBuilder sb)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    Append(property.Value, path.Length == 0 ? property.Name : $"{path}.{property.Name}", sb);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Append(item, $"{path}[{index++}]", sb);
                }

                break;
            case JsonValueKind.String:
                AppendLine(sb, path, element.GetString() ?? string.Empty);
                break;
            case JsonValueKind.Number:
                AppendLine(sb, path, element.GetRawText());
                break;
            case JsonValueKind.True:
            case JsonValueKind.False:
                AppendLine(sb, path, element.GetBoolean() ? "true" : "false");
                break;
        }
    }

    private static void AppendLine(StringBuilder sb, string path, string value)
    {
        var clean = TextNormalization.CollapseWhitespace(value);
        if (clean.Length == 0)
        {
            return;
        }

        sb.Append(path.Length == 0 ? "value" : path).Append(": ").Append(clean).Append('\n');
    }
}
