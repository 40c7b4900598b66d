using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

public sealed class DocxExtractorTests
{
    private static Paragraph Para(string text, string? style = null)
    {
        var paragraph = new Paragraph(new Run(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
        if (style is not null)
        {
            paragraph.PrependChild(new ParagraphProperties(new ParagraphStyleId { Val = style }));
        }

        return paragraph;
    }

    private static TableRow Row(params string[] cells) => new(cells.Select(c => new TableCell(Para(c))));

    /// <summary>A real .docx written with the Open XML SDK: a title, a heading (under a localised style id whose style
    /// name is "heading 1"), paragraphs, a list item, a table, and a deleted revision that must not appear.</summary>
    private static byte[] SampleDocx(string? title)
    {
        using var stream = new MemoryStream();
        using (var document = WordprocessingDocument.Create(stream, WordprocessingDocumentType.Document))
        {
            if (title is not null)
            {
                document.PackageProperties.Title = title;
            }

            var main = document.AddMainDocumentPart();
            var styles = main.AddNewPart<StyleDefinitionsPart>();
            styles.Styles = new Styles(new Style(new StyleName { Val = "heading 1" }) { Type = StyleValues.Paragraph, StyleId = "Ueberschrift1" });

            var listItem = Para("Restart the router first.");
            listItem.PrependChild(new ParagraphProperties(new NumberingProperties(new NumberingLevelReference { Val = 0 }, new NumberingId { Val = 1 })));

            var withDeletion = new Paragraph(
                new Run(new Text("Keep this ") { Space = SpaceProcessingModeValues.Preserve }),
                new DeletedRun(new Run(new DeletedText("secret removed words"))),
                new Run(new TabChar(), new Text("sentence.")));

            main.Document = new Document(new Body(
                Para("Quarterly Support Report", "Title"),
                Para("Network outages", "Ueberschrift1"),
                Para("Two outages hit the Jakarta office in March."),
                listItem,
                withDeletion,
                new Table(
                    Row("Menu", "Issue", "Expected"),
                    Row("Billing", "Invoice missing", "Invoice emailed within 1 day")),
                Para("Closing remarks follow the table.")));
        }

        return stream.ToArray();
    }

    private static async Task<ExtractedDocument> Extract(byte[] docx)
    {
        using var stream = new MemoryStream(docx);
        return await new DocxExtractor().ExtractAsync(stream, "report.docx", CancellationToken.None);
    }

    [Fact]
    public async Task Paragraphs_headings_list_items_and_table_rows_come_out_in_order()
    {
        var document = await Extract(SampleDocx(title: null));

        Assert.Equal(
            [
                (BlockKind.Heading, "Quarterly Support Report"),
                (BlockKind.Heading, "Network outages"),
                (BlockKind.Paragraph, "Two outages hit the Jakarta office in March."),
                (BlockKind.ListItem, "Restart the router first."),
                (BlockKind.Paragraph, "Keep this sentence."),
                (BlockKind.TableRow, "Menu | Issue | Expected"),
                (BlockKind.TableRow, "Billing | Invoice missing | Invoice emailed within 1 day"),
                (BlockKind.Paragraph, "Closing remarks follow the table."),
            ],
            document.Blocks.Select(b => (b.Kind, b.Text)));
        Assert.All(document.Blocks.Skip(2), b => Assert.Equal("Network outages", b.Heading));
        Assert.All(document.Blocks, b => Assert.Null(b.Page));
        Assert.DoesNotContain("secret", document.FullText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Title_comes_from_core_properties_else_the_first_heading()
    {
        Assert.Equal("Support KPIs 2024", (await Extract(SampleDocx("Support KPIs 2024"))).Title);
        Assert.Equal("Quarterly Support Report", (await Extract(SampleDocx(title: null))).Title);
    }
}
