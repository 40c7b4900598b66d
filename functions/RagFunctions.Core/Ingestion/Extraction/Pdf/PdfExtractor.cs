using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.IO;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>.pdf: text of ordinary (non-scanned) PDFs with a 1-based page number on every block. Reads page content
/// streams with PDFsharp's <see cref="ContentReader"/>, decodes strings through the fonts' ToUnicode CMaps or encodings,
/// and rebuilds words, lines and paragraphs from glyph positions. A PDF whose pages carry no decodable text (scanned,
/// image-only) fails with "no extractable text".</summary>
public sealed class PdfExtractor(ILogger<PdfExtractor>? logger = null) : IDocumentExtractor
{
    private readonly ILogger _logger = logger ?? NullLogger<PdfExtractor>.Instance;

    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var bytes = await StreamBytes.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        PdfDocument document;
        try
        {
            document = PdfReader.Open(new MemoryStream(bytes, writable: false), PdfDocumentOpenMode.Import);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            var reason = ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
                ? "the PDF is password-protected"
                : ex.Message;
            // PDFsharp reports damaged files with many exception types, including plain Exception.
            throw new ExtractionFailedException($"corrupt or unreadable .pdf: {reason}", ex);
        }

        using (document)
        {
            var interpreter = new PdfTextInterpreter();
            var pages = new List<(int Page, List<PdfLine> Lines)>();
            for (var index = 0; index < document.PageCount; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.Pages[index];
                try
                {
                    var glyphs = interpreter.Run(PageContent(page), Inherited(page, "/Resources") as PdfDictionary);
                    pages.Add((index + 1, PdfTextLayout.Lines(glyphs)));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
                {
                    // One unreadable page must not cost the rest of the document.
                    _logger.LogWarning(ex, "Skipping unreadable content on page {Page} of {FileName}", index + 1, fileName);
                }
            }

            var bodySize = PdfTextLayout.BodySize(pages.SelectMany(p => p.Lines));
            var collector = new BlockCollector();
            foreach (var (pageNumber, lines) in pages)
            {
                foreach (var (text, kind) in PdfTextLayout.Blocks(lines, bodySize))
                {
                    collector.Add(text, kind, pageNumber);
                }
            }

            if (!collector.Blocks.Any(b => TextNormalization.HasWords(b.Text)))
            {
                throw new ExtractionFailedException("no extractable text");
            }

            string? title = null;
            try
            {
                title = document.Info.Title;
            }
            catch (InvalidOperationException)
            {
                // A malformed /Info dictionary only costs the metadata title.
            }

            return collector.Build(title, fileName);
        }
    }

    private static byte[] PageContent(PdfPage page)
    {
        var contents = PdfObjects.Get(page, "/Contents");
        var streams = contents switch
        {
            PdfDictionary single => [single],
            PdfArray array => PdfObjects.Items(array).OfType<PdfDictionary>().ToList(),
            _ => new List<PdfDictionary>(),
        };

        using var buffer = new MemoryStream();
        foreach (var stream in streams)
        {
            if (PdfObjects.StreamBytes(stream) is { } data)
            {
                buffer.Write(data);
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Page attributes such as /Resources may sit on an ancestor page-tree node.</summary>
    private static PdfItem? Inherited(PdfDictionary page, string key)
    {
        for (PdfDictionary? node = page; node is not null; node = PdfObjects.Dictionary(node, "/Parent"))
        {
            if (PdfObjects.Get(node, key) is { } value)
            {
                return value;
            }
        }

        return null;
    }
}
