using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Extraction;
using RagFunctions.Tests.Shared.Hostile;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

/// <summary>Issue 11's probes, one per file, through the real extractor with default limits. Before the limits these
/// files overflowed the stack (killing the test process), spun forever, or took gigabytes; now each fails with a reason
/// that names the limit or the defect.</summary>
public sealed class HostileInputTests
{
    private static DocumentExtractor Extractor(IDictionary<string, string?>? settings = null) => new ServiceCollection()
        .AddLogging()
        .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings ?? new Dictionary<string, string?>()).Build())
        .AddDocumentExtraction()
        .BuildServiceProvider()
        .GetRequiredService<DocumentExtractor>();

    public static TheoryData<string> Cases() => [.. HostileCorpus.All().Select(f => f.Name)];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_hostile_file_fails_with_a_reason_naming_its_limit_or_defect(string name)
    {
        var file = HostileCorpus.All().Single(f => f.Name == name);
        using var stream = new MemoryStream(file.Content);
        if (file.ExpectedReason is null)
        {
            var document = await Extractor().ExtractAsync(stream, name, CancellationToken.None);
            Assert.Contains("deep", document.FullText, StringComparison.Ordinal);
            return;
        }

        var failure = await Assert.ThrowsAsync<ExtractionFailedException>(() => Extractor().ExtractAsync(stream, name, CancellationToken.None));

        Assert.Contains(file.ExpectedReason, failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_limit_breach_names_the_setting_that_raises_it()
    {
        using var stream = new MemoryStream(HostileCorpus.DeepJson(300));

        var failure = await Assert.ThrowsAsync<ExtractionFailedException>(() => Extractor().ExtractAsync(stream, "deep.json", CancellationToken.None));

        Assert.Equal("JSON nesting exceeds the limit of 256 levels (RagFunctions:Ingestion:Limits:MaxNestingDepth)", failure.Message);
    }

    [Fact]
    public async Task Limits_are_settings_raising_one_lets_the_same_file_through()
    {
        var file = HostileCorpus.DeepJson(300);

        var document = await Extractor(new Dictionary<string, string?> { ["RagFunctions:Ingestion:Limits:MaxNestingDepth"] = "400" })
            .ExtractAsync(new MemoryStream(file), "deep.json", CancellationToken.None);

        Assert.Contains("deep", document.FullText, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_form_drawn_many_times_without_a_cycle_is_stopped_by_the_operator_budget()
    {
        // Five nested forms each drawing the next nine times: 9^5 = 59,049 form executions, fine without a budget here
        // but exponential in the nesting; a budget of 10,000 operators stops it.
        var pdf = PdfFile.Build(
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /XObject << /X 5 0 R >> /Font << /F1 4 0 R >> >> /Contents 10 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            Form(6), Form(7), Form(8), Form(9), Leaf(),
            PdfFile.Stream("BT /F1 12 Tf 72 720 Td (Fan out) Tj ET /X Do"));

        var failure = await Assert.ThrowsAsync<ExtractionFailedException>(() =>
            Extractor(new Dictionary<string, string?> { ["RagFunctions:Ingestion:Limits:MaxPdfOperators"] = "10000" })
                .ExtractAsync(new MemoryStream(pdf), "fan-out.pdf", CancellationToken.None));

        Assert.Contains("MaxPdfOperators", failure.Message, StringComparison.Ordinal);

        static string Form(int next) => PdfFile.Stream(
            string.Join(' ', Enumerable.Repeat("/X Do", 9)),
            $"/Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources << /XObject << /X {next} 0 R >> >>");

        static string Leaf() => PdfFile.Stream("BT ET", "/Type /XObject /Subtype /Form /BBox [0 0 10 10]");
    }

    [Fact]
    public async Task Extraction_that_outlives_its_time_budget_fails_naming_the_setting()
    {
        var extractor = new DocumentExtractor(
            [new StallingExtractor()],
            limits: Microsoft.Extensions.Options.Options.Create(new IngestionLimits { ExtractionTimeoutSeconds = 0.2 }));
        var watch = Stopwatch.StartNew();

        var failure = await Assert.ThrowsAsync<ExtractionFailedException>(() =>
            extractor.ExtractAsync(new MemoryStream("some text"u8.ToArray()), "slow.txt", CancellationToken.None));

        Assert.Contains("ExtractionTimeoutSeconds", failure.Message, StringComparison.Ordinal);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task Good_documents_still_pass_every_limit()
    {
        var extractor = Extractor();
        var pdf = await extractor.ExtractAsync(new MemoryStream(PdfFile.Text("An ordinary page of text.")), "ok.pdf", CancellationToken.None);
        var docx = await extractor.ExtractAsync(
            new MemoryStream(HostileCorpus.Docx(w => w.Write("<w:p><w:r><w:t>An ordinary paragraph.</w:t></w:r></w:p>"))), "ok.docx", CancellationToken.None);
        var html = await extractor.ExtractAsync(new MemoryStream(HostileCorpus.NestedHtml(200)), "ok.html", CancellationToken.None);

        Assert.Contains("ordinary page", pdf.FullText, StringComparison.Ordinal);
        Assert.Contains("ordinary paragraph", docx.FullText, StringComparison.Ordinal);
        Assert.Contains("deep text", html.FullText, StringComparison.Ordinal);
    }

    /// <summary>An extractor stuck in a loop that checks its token, as every real extractor's loops do.</summary>
    private sealed class StallingExtractor : IDocumentExtractor
    {
        public IReadOnlyCollection<string> Extensions { get; } = [".txt"];

        public Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
        {
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                Thread.Sleep(10);
            }
        }
    }
}
