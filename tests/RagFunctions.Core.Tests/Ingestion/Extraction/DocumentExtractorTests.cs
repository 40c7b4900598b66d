using System.Text;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

public sealed class DocumentExtractorTests
{
    private static readonly DocumentExtractor Extractor = new ServiceCollection()
        .AddLogging()
        .AddDocumentExtraction()
        .BuildServiceProvider()
        .GetRequiredService<DocumentExtractor>();

    private static async Task<ExtractedDocument> Extract(byte[] content, string fileName)
    {
        using var stream = new MemoryStream(content);
        return await Extractor.ExtractAsync(stream, fileName, CancellationToken.None);
    }

    private static async Task<string> FailureReason(byte[] content, string fileName) =>
        (await Assert.ThrowsAsync<ExtractionFailedException>(() => Extract(content, fileName))).Message;

    [Fact]
    public void Registers_every_format()
    {
        var services = new ServiceCollection().AddDocumentExtraction().AddDocumentExtraction();
        using var provider = services.BuildServiceProvider();

        Assert.Equal(7, provider.GetServices<IDocumentExtractor>().Count());
        var composite = provider.GetRequiredService<DocumentExtractor>();
        Assert.Same(composite, provider.GetRequiredService<DocumentExtractor>());
        foreach (var extension in new[] { ".txt", ".md", ".html", ".htm", ".csv", ".json", ".docx", ".pdf" })
        {
            Assert.Contains(extension, composite.SupportedExtensions);
        }

        Assert.True(composite.IsSupported("Report.PDF"));
        Assert.False(composite.IsSupported("~$report.tmp"));
    }

    [Fact]
    public async Task Unknown_extension_fails_with_its_name()
    {
        Assert.Equal("unsupported file type '.xyz'", await FailureReason("hello"u8.ToArray(), "data.xyz"));
        Assert.Equal("unsupported file type (the file name has no extension)", await FailureReason("hello"u8.ToArray(), "README"));
    }

    [Theory]
    [InlineData("empty.txt")]
    [InlineData("empty.pdf")]
    [InlineData("empty.docx")]
    public async Task Empty_file_fails_as_empty(string fileName)
    {
        Assert.Equal("file is empty", await FailureReason([], fileName));
    }

    [Fact]
    public async Task Random_bytes_named_docx_fail_as_corrupt()
    {
        var random = new byte[4096];
        new Random(42).NextBytes(random);
        random[0] = 0x01; // not accidentally a ZIP or PDF header

        Assert.StartsWith("corrupt or unreadable .docx", await FailureReason(random, "contract.docx"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Truncated_zip_named_docx_fails_as_corrupt_with_the_parser_reason()
    {
        var zipHeaderOnly = "PK\u0003\u0004garbage that is not a package"u8.ToArray();

        var reason = await FailureReason(zipHeaderOnly, "contract.docx");

        Assert.StartsWith("corrupt or unreadable .docx: ", reason, StringComparison.Ordinal);
        Assert.True(reason.Length > "corrupt or unreadable .docx: ".Length);
    }

    [Fact]
    public async Task Pdf_bytes_named_txt_fail_as_wrong_extension()
    {
        PdfFixtures.EnsurePdfSharp();
        var pdf = PdfFixtures.WithToUnicodeCMap();

        Assert.Equal("content does not match the .txt extension (looks like PDF)", await FailureReason(pdf, "notes.txt"));
        Assert.Equal("content does not match the .csv extension (looks like PDF)", await FailureReason(pdf, "table.csv"));
    }

    [Fact]
    public async Task Text_named_pdf_and_pdf_named_docx_fail_as_wrong_extension()
    {
        Assert.Equal("content does not match the .pdf extension (looks like text)", await FailureReason("just words"u8.ToArray(), "scan.pdf"));
        Assert.Equal("content does not match the .docx extension (looks like PDF)", await FailureReason(PdfFixtures.ImageOnly(), "letter.docx"));
    }

    [Fact]
    public async Task Binary_content_in_a_text_format_fails_as_wrong_extension()
    {
        var png = new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13 };

        Assert.Equal("content does not match the .md extension (looks like PNG image)", await FailureReason(png, "readme.md"));
        Assert.Equal("content does not match the .json extension (looks like binary data)", await FailureReason([1, 2, 0, 3, 4], "x.json"));
    }

    [Fact]
    public async Task Text_without_words_fails_with_no_extractable_text()
    {
        Assert.Equal("no extractable text", await FailureReason(" \r\n \t \n"u8.ToArray(), "blank.txt"));
        Assert.Equal("no extractable text", await FailureReason("<html><script>alert(1)</script></html>"u8.ToArray(), "page.html"));
    }

    [Fact]
    public async Task Image_only_pdf_fails_with_no_extractable_text()
    {
        PdfFixtures.EnsurePdfSharp();

        Assert.Equal("no extractable text", await FailureReason(PdfFixtures.ImageOnly(), "scan.pdf"));
    }

    [Fact]
    public async Task Malformed_json_fails_as_corrupt()
    {
        Assert.StartsWith("corrupt or unreadable .json", await FailureReason("{ \"a\": [1, 2"u8.ToArray(), "broken.json"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("utf8-bom")]
    [InlineData("utf16le-bom")]
    [InlineData("utf16be-bom")]
    [InlineData("utf8")]
    [InlineData("latin1")]
    public async Task Text_is_decoded_from_bom_utf8_or_latin1(string encoding)
    {
        const string text = "Café crème à Zürich — naïve façade";
        var bytes = encoding switch
        {
            "utf8-bom" => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            "utf16le-bom" => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            "utf16be-bom" => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            "utf8" => Encoding.UTF8.GetBytes(text),
            _ => Encoding.Latin1.GetBytes(text.Replace("—", "-", StringComparison.Ordinal)),
        };
        var expected = encoding == "latin1" ? text.Replace("—", "-", StringComparison.Ordinal) : text;

        var document = await Extract(bytes, "cafe.txt");

        Assert.Equal(expected, Assert.Single(document.Blocks).Text);
    }

    [Fact]
    public async Task Csv_knowledge_base_row_reads_as_one_record()
    {
        var csv = "MENU,ISSUE,EXPECTED\nPayments,Card declined twice,Show retry with another card\n"u8.ToArray();

        var block = Assert.Single((await Extract(csv, "kb.csv")).Blocks);

        Assert.Equal(BlockKind.Record, block.Kind);
        Assert.Equal("MENU: Payments ISSUE: Card declined twice EXPECTED: Show retry with another card", block.Text.Replace('\n', ' '));
    }

    [Fact]
    public async Task A_non_seekable_stream_is_read()
    {
        using var pipe = new NonSeekableStream("Plain words here."u8.ToArray());

        var document = await Extractor.ExtractAsync(pipe, "n.txt", CancellationToken.None);

        Assert.Equal("Plain words here.", Assert.Single(document.Blocks).Text);
    }

    [Fact]
    public async Task Pdf_reaches_the_pdf_extractor_through_the_composite()
    {
        PdfFixtures.EnsurePdfSharp();

        var document = await Extract(PdfFixtures.WithToUnicodeCMap(), "cmap.pdf");

        Assert.Contains("hello world", document.FullText, StringComparison.Ordinal);
    }

    /// <summary>A forward-only stream, like a blob download or a request body.</summary>
    private sealed class NonSeekableStream(byte[] data) : Stream
    {
        private readonly MemoryStream _inner = new(data);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            _inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
