using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Extraction.Pdf;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

public sealed class PdfExtractorTests
{
    private static async Task<ExtractedDocument> Extract(byte[] pdf, string name = "test.pdf")
    {
        PdfFixtures.EnsurePdfSharp();
        using var stream = new MemoryStream(pdf);
        return await new PdfExtractor().ExtractAsync(stream, name, CancellationToken.None);
    }

    [Fact]
    public async Task Multi_page_pdf_rendered_by_pdfsharp_keeps_text_page_numbers_headings_and_title()
    {
        var pdf = PdfFixtures.Rendered("Field Guide", [
            ("Aardvarks", ["Aardvarks dig burrows at night.", "They eat ants and termites."]),
            ("Zebras", ["Zebras have black and white stripes.", "Every zebra pattern is unique."]),
            ("Okapis", ["The okapi lives in the Ituri rainforest."]),
        ]);

        var document = await Extract(pdf);

        Assert.Equal("Field Guide", document.Title);
        Assert.All(document.Blocks, b => Assert.NotNull(b.Page));
        Assert.Equal([1, 2, 3], document.Blocks.Select(b => b.Page!.Value).Distinct().Order());

        var zebra = Assert.Single(document.Blocks, b => b.Text.Contains("black and white stripes", StringComparison.Ordinal));
        Assert.Equal(2, zebra.Page);
        Assert.Equal(BlockKind.Paragraph, zebra.Kind);
        Assert.Equal("Zebras", zebra.Heading);
        Assert.Contains("Every zebra pattern is unique.", zebra.Text, StringComparison.Ordinal);

        var heading = Assert.Single(document.Blocks, b => b.Kind == BlockKind.Heading && b.Text == "Okapis");
        Assert.Equal(3, heading.Page);
        Assert.Contains(document.Blocks, b => b.Page == 1 && b.Text.Contains("Aardvarks dig burrows at night.", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToUnicode_cmap_bfrange_bfchar_and_array_ranges_decode_two_byte_codes()
    {
        var document = await Extract(PdfFixtures.WithToUnicodeCMap());

        var text = document.FullText;
        Assert.Contains("hello world", text, StringComparison.Ordinal);
        Assert.Contains("QR code", text, StringComparison.Ordinal);
        Assert.Contains("éß", text, StringComparison.Ordinal);
        Assert.All(document.Blocks, b => Assert.Equal(1, b.Page));
    }

    [Fact]
    public async Task Title_falls_back_to_the_file_name_without_metadata_or_headings()
    {
        var document = await Extract(PdfFixtures.WithToUnicodeCMap(), "minutes-2024.pdf");

        Assert.Equal("minutes-2024", document.Title);
    }

    [Fact]
    public async Task Image_only_pdf_fails_with_no_extractable_text()
    {
        var error = await Assert.ThrowsAsync<ExtractionFailedException>(() => Extract(PdfFixtures.ImageOnly()));

        Assert.Equal("no extractable text", error.Message);
    }

    [Fact]
    public async Task Truncated_pdf_fails_as_corrupt()
    {
        var pdf = PdfFixtures.WithToUnicodeCMap();

        var error = await Assert.ThrowsAsync<ExtractionFailedException>(() => Extract(pdf[..(pdf.Length / 3)]));

        Assert.StartsWith("corrupt or unreadable .pdf", error.Message, StringComparison.Ordinal);
    }
}
