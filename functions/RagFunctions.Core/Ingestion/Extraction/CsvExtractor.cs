using System.Text;
using CsvHelper;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.csv/.tsv: the first row names the columns; every later row becomes one Record block of "column: value" lines
/// (empty values left out), so a knowledge-base row such as MENU/ISSUE/EXPECTED stays together as one retrievable unit.
/// The separator (comma, semicolon, tab, pipe) is detected; malformed quoting is recovered rather than fatal.</summary>
public sealed class CsvExtractor : IDocumentExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".csv", ".tsv"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var text = await StreamBytes.ReadTextAsync(content, cancellationToken).ConfigureAwait(false);
        var options = CsvReaderOptions.Default with { TrimWhitespace = true, HasHeader = true };
        if (fileName.EndsWith(".tsv", StringComparison.OrdinalIgnoreCase))
        {
            options = options with { Separator = '\t' };
        }

        var collector = new BlockCollector();
        using var csv = CsvReader.FromText(text, options);
        var header = csv.Headers
            .Select((h, i) => string.IsNullOrWhiteSpace(h) ? $"column {i + 1}" : TextNormalization.CollapseWhitespace(h))
            .ToArray();

        var record = new StringBuilder();
        while (csv.Read())
        {
            cancellationToken.ThrowIfCancellationRequested();
            record.Clear();
            for (var i = 0; i < csv.FieldCount; i++)
            {
                var value = TextNormalization.CollapseWhitespace(csv.GetString(i));
                if (value.Length == 0)
                {
                    continue;
                }

                var column = i < header.Length ? header[i] : $"column {i + 1}";
                record.Append(column).Append(": ").Append(value).Append('\n');
            }

            collector.Add(record.ToString(), BlockKind.Record);
        }

        return collector.Build(null, fileName);
    }
}
