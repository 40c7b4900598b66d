namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.txt: paragraphs are separated by blank lines; line breaks inside a paragraph are soft.</summary>
public sealed class PlainTextExtractor : IDocumentExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".txt", ".text", ".log"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var text = await StreamBytes.ReadTextAsync(content, cancellationToken).ConfigureAwait(false);
        var collector = new BlockCollector();
        foreach (var paragraph in SplitParagraphs(text))
        {
            collector.Add(paragraph, BlockKind.Paragraph);
        }

        return collector.Build(metadataTitle: null, fileName);
    }

    internal static IEnumerable<string> SplitParagraphs(string text)
    {
        var current = new List<string>();
        foreach (var line in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n', '\r'))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                if (current.Count > 0)
                {
                    yield return string.Join('\n', current);
                    current.Clear();
                }

                continue;
            }

            current.Add(line);
        }

        if (current.Count > 0)
        {
            yield return string.Join('\n', current);
        }
    }
}
