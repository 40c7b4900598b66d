using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using PdfSharp.Pdf;
using PdfSharp.Pdf.Content;
using PdfSharp.Pdf.IO;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>.pdf: text of ordinary (non-scanned) PDFs with a 1-based page number on every block. Reads page content
/// streams with PDFsharp's <see cref="ContentReader"/>, decodes strings through the fonts' ToUnicode CMaps or encodings,
/// and rebuilds words, lines and paragraphs from glyph positions. A PDF whose pages carry no decodable text (scanned,
/// image-only) fails with "no extractable text".
/// <para>Hostile files are stopped before they reach recursive code: nesting is measured on the raw syntax
/// (<see cref="PdfSyntaxGuard"/>), the page tree is walked iteratively for cycles before PDFsharp flattens it
/// (recursively), inherited attributes stop at a cycle, and the interpreter refuses self-drawing forms and counts its
/// operators against <see cref="IngestionLimits.MaxPdfOperators"/>.</para></summary>
public sealed class PdfExtractor(ILogger<PdfExtractor>? logger = null, IOptions<IngestionLimits>? limits = null) : IDocumentExtractor
{
    private readonly ILogger _logger = logger ?? NullLogger<PdfExtractor>.Instance;
    private readonly IngestionLimits _limits = limits?.Value ?? new IngestionLimits();

    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var bytes = await StreamBytes.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        PdfSyntaxGuard.CheckFile(bytes, _limits);
        cancellationToken.ThrowIfCancellationRequested();
        PdfDocument document;
        try
        {
            document = PdfReader.Open(new MemoryStream(bytes, writable: false), PdfDocumentOpenMode.Import);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException and not ExtractionFailedException)
        {
            var reason = ex.Message.Contains("password", StringComparison.OrdinalIgnoreCase)
                ? "the PDF is password-protected"
                : ex.Message;
            // PDFsharp reports damaged files with many exception types, including plain Exception.
            throw new ExtractionFailedException($"corrupt or unreadable .pdf: {reason}", ex);
        }

        using (document)
        {
            CheckPageTree(document, _limits, cancellationToken);
            var interpreter = new PdfTextInterpreter(_limits, cancellationToken);
            var pages = new List<(int Page, List<PdfLine> Lines)>();
            for (var index = 0; index < document.PageCount; index++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.Pages[index];
                try
                {
                    var glyphs = interpreter.Run(PageContent(page, _limits), Inherited(page, "/Resources", _limits) as PdfDictionary);
                    pages.Add((index + 1, PdfTextLayout.Lines(glyphs)));
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException and not ExtractionFailedException)
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

    /// <summary>Walks the page tree iteratively before PDFsharp flattens it recursively: a node reached twice (a cycle, such as
    /// a node listing itself among its kids, or a shared subtree) or a tree deeper than the nesting limit fails the
    /// document instead of overflowing the stack.</summary>
    private static void CheckPageTree(PdfDocument document, IngestionLimits limits, CancellationToken cancellationToken)
    {
        if (PdfObjects.Dictionary(document.Internals.Catalog, "/Pages") is not { } root)
        {
            return;
        }

        var seen = new HashSet<PdfDictionary>(ReferenceEqualityComparer.Instance);
        var pending = new Stack<(PdfDictionary Node, int Depth)>();
        pending.Push((root, 0));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (!seen.Add(node))
            {
                throw new ExtractionFailedException("corrupt .pdf: the page tree contains a cycle (a node is reached twice)");
            }

            if (depth > limits.MaxNestingDepth)
            {
                throw new ExtractionFailedException(IngestionLimits.Breach(
                    "PDF page-tree depth", limits.MaxNestingDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"));
            }

            if ((seen.Count & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (PdfObjects.Array(node, "/Kids") is { } kids)
            {
                foreach (var kid in PdfObjects.Items(kids).OfType<PdfDictionary>())
                {
                    pending.Push((kid, depth + 1));
                }
            }
        }
    }

    private static byte[] PageContent(PdfPage page, IngestionLimits limits)
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
            if (PdfObjects.StreamBytes(stream, limits) is { } data)
            {
                if (buffer.Length + data.Length > limits.MaxExpandedBytes)
                {
                    throw new ExtractionFailedException(IngestionLimits.Breach(
                        "a page's decoded content", limits.MaxExpandedBytes, nameof(IngestionLimits.MaxExpandedBytes), " bytes"));
                }

                buffer.Write(data);
                buffer.WriteByte((byte)'\n');
            }
        }

        return buffer.ToArray();
    }

    /// <summary>Page attributes such as /Resources may sit on an ancestor page-tree node. A /Parent chain that comes back
    /// on itself (a node that is its own parent spun a worker forever) fails the document.</summary>
    private static PdfItem? Inherited(PdfDictionary page, string key, IngestionLimits limits)
    {
        var seen = new HashSet<PdfDictionary>(ReferenceEqualityComparer.Instance);
        for (PdfDictionary? node = page; node is not null; node = PdfObjects.Dictionary(node, "/Parent"))
        {
            if (!seen.Add(node))
            {
                throw new ExtractionFailedException("corrupt .pdf: the page tree contains a cycle (a node is its own ancestor through /Parent)");
            }

            if (seen.Count > limits.MaxNestingDepth)
            {
                throw new ExtractionFailedException(IngestionLimits.Breach(
                    "PDF page-tree depth", limits.MaxNestingDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"));
            }

            if (PdfObjects.Get(node, key) is { } value)
            {
                return value;
            }
        }

        return null;
    }
}
