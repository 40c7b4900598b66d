using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Core.Ingestion.Extraction.Pdf;
using Xunit.Abstractions;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

/// <summary>PDF quality against a reference nobody here wrote: Debian's R manuals (r-doc-pdf, made by pdfTeX) compared
/// with poppler's pdftotext, word multisets for the whole document and page by page.</summary>
public sealed class PdfReferenceQualityTests(ITestOutputHelper output)
{
    private const double DocumentThreshold = 0.995;
    private const double PageAverageThreshold = 0.99;

    [ReferencePdfFact("R-FAQ.pdf")]
    public Task R_FAQ_agrees_with_pdftotext() => AssertAgreement("R-FAQ.pdf");

    [ReferencePdfFact("R-intro.pdf")]
    public Task R_intro_agrees_with_pdftotext() => AssertAgreement("R-intro.pdf");

    [ReferencePdfFact("R-data.pdf")]
    public Task R_data_agrees_with_pdftotext() => AssertAgreement("R-data.pdf");

    [ReferencePdfFact("R-admin.pdf")]
    public Task R_admin_agrees_with_pdftotext() => AssertAgreement("R-admin.pdf");

    private async Task AssertAgreement(string fileName)
    {
        var path = ReferencePdfs.Find(fileName);
        Assert.True(path is not null, $"{ReferencePdfs.ManualFolder}/{fileName} is missing: run scripts/setup-test-deps.sh");

        await using var stream = File.OpenRead(path);
        var document = await new PdfExtractor().ExtractAsync(stream, fileName, CancellationToken.None);

        var ours = WordOverlap.Words(document.FullText);
        var reference = WordOverlap.Words(ReferencePdfs.Pdftotext(path));
        var overlap = WordOverlap.Overlap(ours, reference);
        var precision = WordOverlap.Overlap(reference, ours);

        Assert.All(document.Blocks, b => Assert.NotNull(b.Page));
        var pageCount = document.Blocks.Max(b => b.Page!.Value);
        var pageScores = new List<double>();
        for (var page = 1; page <= pageCount; page++)
        {
            var pageText = string.Join("\n", document.Blocks.Where(b => b.Page == page).Select(b => b.Text));
            var referencePage = ReferencePdfs.Pdftotext(path, page);
            if (WordOverlap.Words(referencePage).Count == 0)
            {
                continue;
            }

            pageScores.Add(WordOverlap.Overlap(pageText, referencePage));
        }

        output.WriteLine($"{fileName}: {reference.Values.Sum()} reference words, {ours.Values.Sum()} ours; "
                         + $"document overlap {overlap:P2} (reverse {precision:P2}); "
                         + $"{pageScores.Count} pages, per-page mean {pageScores.Average():P2}, min {pageScores.Min():P2}");
        output.WriteLine("most-missed reference words: "
                         + string.Join(", ", WordOverlap.Missing(ours, reference, 25).Select(m => $"{m.Word}×{m.Missing}")));
        output.WriteLine("most extra words of ours: "
                         + string.Join(", ", WordOverlap.Missing(reference, ours, 25).Select(m => $"{m.Word}×{m.Missing}")));

        Assert.True(overlap >= DocumentThreshold, $"{fileName}: document overlap {overlap:P2} < {DocumentThreshold:P0}");
        Assert.True(pageScores.Average() >= PageAverageThreshold,
            $"{fileName}: per-page mean overlap {pageScores.Average():P2} < {PageAverageThreshold:P0}");
    }
}
