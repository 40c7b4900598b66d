using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Entry point for ingestion: picks the extractor for a file's extension and turns every way a file can be
/// unusable (unsupported type, empty, wrong content for its extension, corrupt, no words) into an
/// <see cref="ExtractionFailedException"/> with a reason users can act on. Never lets a parser exception escape.</summary>
public sealed class DocumentExtractor
{
    private static readonly HashSet<string> TextExtensions = new(StringComparer.OrdinalIgnoreCase)
    {
        ".txt", ".text", ".log", ".md", ".markdown", ".csv", ".tsv", ".json", ".html", ".htm", ".xhtml",
    };

    private readonly Dictionary<string, IDocumentExtractor> _byExtension = new(StringComparer.OrdinalIgnoreCase);
    private readonly ILogger<DocumentExtractor> _logger;
    private readonly IngestionLimits _limits;

    public DocumentExtractor(
        IEnumerable<IDocumentExtractor> extractors, ILogger<DocumentExtractor>? logger = null, IOptions<IngestionLimits>? limits = null)
    {
        _logger = logger ?? NullLogger<DocumentExtractor>.Instance;
        _limits = limits?.Value ?? new IngestionLimits();
        foreach (var extractor in extractors)
        {
            foreach (var extension in extractor.Extensions)
            {
                _byExtension[extension] = extractor;
            }
        }
    }

    /// <summary>All extensions (lower-case, with the dot) some extractor handles.</summary>
    public IReadOnlyCollection<string> SupportedExtensions => _byExtension.Keys;

    /// <summary>True when the file's extension has an extractor (e.g. to ignore temp files in a drop folder early).</summary>
    public bool IsSupported(string fileName) => _byExtension.ContainsKey(Path.GetExtension(fileName));

    /// <summary>Extracts the text of <paramref name="content"/>; throws <see cref="ExtractionFailedException"/> with the reason when it cannot.</summary>
    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        ArgumentNullException.ThrowIfNull(fileName);

        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (!_byExtension.TryGetValue(extension, out var extractor))
        {
            throw new ExtractionFailedException(extension.Length == 0
                ? "unsupported file type (the file name has no extension)"
                : $"unsupported file type '{extension}'");
        }

        var bytes = await StreamBytes.ReadAllAsync(content, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            throw new ExtractionFailedException("file is empty");
        }

        CheckContentMatchesExtension(bytes, extension);

        ExtractedDocument document;
        // The time budget reaches the parsers as cancellation: every extractor checks its token inside its loops.
        using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        budget.CancelAfter(TimeSpan.FromSeconds(_limits.ExtractionTimeoutSeconds));
        try
        {
            using var memory = new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true);
            // Parsers run synchronously for most of their work; a worker thread keeps a long parse off the caller's thread.
            document = await Task.Run(() => extractor.ExtractAsync(memory, fileName, budget.Token), budget.Token).ConfigureAwait(false);
        }
        catch (ExtractionFailedException)
        {
            throw;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (OperationCanceledException ex) when (budget.IsCancellationRequested)
        {
            throw new ExtractionFailedException(
                IngestionLimits.Breach("extraction time", (long)_limits.ExtractionTimeoutSeconds, nameof(IngestionLimits.ExtractionTimeoutSeconds), " seconds"), ex);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Parsers throw many exception types on damaged input; all of them mean the same to the user.
            _logger.LogWarning(ex, "Extraction of {FileName} failed", fileName);
            throw new ExtractionFailedException($"corrupt or unreadable {extension}: {ex.Message}", ex);
        }

        if (!document.Blocks.Any(b => TextNormalization.HasWords(b.Text)))
        {
            throw new ExtractionFailedException("no extractable text");
        }

        long characters = 0;
        foreach (var block in document.Blocks)
        {
            characters += block.Text.Length;
        }

        if (characters > _limits.MaxExtractedCharacters)
        {
            throw new ExtractionFailedException(IngestionLimits.Breach(
                $"extracted text ({characters:N0} characters)", _limits.MaxExtractedCharacters, nameof(IngestionLimits.MaxExtractedCharacters)));
        }

        return document;
    }

    private static void CheckContentMatchesExtension(byte[] bytes, string extension)
    {
        var detected = ContentSniffer.Detect(bytes);
        if (TextExtensions.Contains(extension))
        {
            if (detected is not null)
            {
                throw Mismatch(extension, detected);
            }

            return;
        }

        switch (extension)
        {
            case ".pdf" when !ContentSniffer.IsPdf(bytes):
                throw detected is null or "binary data"
                    ? detected is null
                        ? Mismatch(extension, "text")
                        : new ExtractionFailedException("corrupt or unreadable .pdf: no PDF header")
                    : Mismatch(extension, detected);
            case ".docx" when !detected?.StartsWith("ZIP", StringComparison.Ordinal) ?? true:
                throw detected is null or "binary data"
                    ? new ExtractionFailedException("corrupt or unreadable .docx: not a ZIP package")
                    : Mismatch(extension, detected);
        }
    }

    private static ExtractionFailedException Mismatch(string extension, string detected) =>
        new($"content does not match the {extension} extension (looks like {detected})");
}
