using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Microsoft.Extensions.Options;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.docx: body paragraphs in order; paragraphs styled Title/Heading n (or with an outline level) are headings,
/// numbered paragraphs are list items, each table row is one "cell | cell" block. Deleted revisions and field codes are
/// skipped. The title comes from the core properties.</summary>
public sealed class DocxExtractor(IOptions<IngestionLimits>? limits = null) : IDocumentExtractor
{
    private readonly IngestionLimits _limits = limits?.Value ?? new IngestionLimits();

    public IReadOnlyCollection<string> Extensions { get; } = [".docx"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var bytes = await StreamBytes.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        try
        {
            ZipPackageGuard.Check(bytes, _limits, cancellationToken);
            using var memory = new MemoryStream(bytes, writable: false);
            using var document = WordprocessingDocument.Open(
                memory, isEditable: false, new OpenSettings { MaxCharactersInPart = _limits.MaxExpandedBytes });
            var main = document.MainDocumentPart
                ?? throw new ExtractionFailedException("corrupt or unreadable .docx: the package has no main document part");
            var headingStyles = HeadingStyleIds(main);
            var collector = new BlockCollector();
            var body = main.Document?.Body;
            if (body is not null)
            {
                VisitBlocks(body, collector, headingStyles, cancellationToken);
            }

            return collector.Build(document.PackageProperties.Title, fileName);
        }
        catch (Exception ex) when (ex is OpenXmlPackageException or InvalidDataException or FileFormatException
                                       or System.Xml.XmlException or InvalidOperationException or ArgumentException)
        {
            throw new ExtractionFailedException($"corrupt or unreadable .docx: {ex.Message}", ex);
        }
    }

    private static void VisitBlocks(
        OpenXmlElement container, BlockCollector collector, IReadOnlySet<string> headingStyles, CancellationToken cancellationToken)
    {
        foreach (var element in container.ChildElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (element)
            {
                case Paragraph paragraph:
                    collector.Add(ParagraphText(paragraph), KindOf(paragraph, headingStyles));
                    break;
                case Table table:
                    foreach (var row in table.Elements<TableRow>())
                    {
                        var cells = row.Elements<TableCell>()
                            .Select(cell => TextNormalization.CollapseWhitespace(
                                string.Join(' ', cell.Descendants<Paragraph>().Select(ParagraphText))))
                            .Where(c => c.Length > 0);
                        collector.Add(string.Join(" | ", cells), BlockKind.TableRow);
                    }

                    break;
                case SdtBlock sdt when sdt.SdtContentBlock is not null:
                    VisitBlocks(sdt.SdtContentBlock, collector, headingStyles, cancellationToken);
                    break;
                case CustomXmlBlock custom:
                    VisitBlocks(custom, collector, headingStyles, cancellationToken);
                    break;
            }
        }
    }

    private static BlockKind KindOf(Paragraph paragraph, IReadOnlySet<string> headingStyles)
    {
        var properties = paragraph.ParagraphProperties;
        var styleId = properties?.ParagraphStyleId?.Val?.Value;
        if (styleId is not null && headingStyles.Contains(styleId))
        {
            return BlockKind.Heading;
        }

        if (properties?.OutlineLevel?.Val?.Value is int level && level < 9)
        {
            return BlockKind.Heading;
        }

        return properties?.NumberingProperties is not null ? BlockKind.ListItem : BlockKind.Paragraph;
    }

    /// <summary>Style ids whose style is a title or heading; ids are localised in some Word versions, names are not.</summary>
    private static HashSet<string> HeadingStyleIds(MainDocumentPart main)
    {
        var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "Title" };
        for (var i = 1; i <= 9; i++)
        {
            ids.Add($"Heading{i}");
        }

        var styles = main.StyleDefinitionsPart?.Styles;
        if (styles is null)
        {
            return ids;
        }

        foreach (var style in styles.Elements<Style>())
        {
            var name = style.StyleName?.Val?.Value ?? string.Empty;
            var id = style.StyleId?.Value;
            if (id is null)
            {
                continue;
            }

            var isHeading = name.Equals("title", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("heading ", StringComparison.OrdinalIgnoreCase)
                || style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is < 9;
            if (isHeading)
            {
                ids.Add(id);
            }
        }

        return ids;
    }

    private static string ParagraphText(Paragraph paragraph)
    {
        var sb = new StringBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case Text text:
                    sb.Append(text.Text);
                    break;
                case TabChar:
                case Break:
                case CarriageReturn:
                    sb.Append(' ');
                    break;
                case NoBreakHyphen:
                    sb.Append('-');
                    break;
            }
        }

        return sb.ToString();
    }
}
