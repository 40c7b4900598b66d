namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Turns the bytes of one file format into an <see cref="ExtractedDocument"/>.</summary>
public interface IDocumentExtractor
{
    /// <summary>Lower-case file extensions with the dot, e.g. <c>.pdf</c>.</summary>
    IReadOnlyCollection<string> Extensions { get; }

    /// <summary>Extracts text; throws <see cref="ExtractionFailedException"/> with a user-readable reason when it cannot.</summary>
    Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken);
}

/// <summary>The document cannot be turned into text; <see cref="Exception.Message"/> is the reason shown to users
/// (e.g. "no extractable text", "unsupported file type '.exe'", "file is empty").</summary>
public sealed class ExtractionFailedException(string reason, Exception? inner = null) : Exception(reason, inner);
