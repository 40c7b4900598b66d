namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>A retrievable piece of a document.</summary>
/// <param name="Id">Deterministic: <c>{DocumentId}-{Ordinal}</c>, so re-ingest replaces rather than duplicates.</param>
/// <param name="StartOffset">Start (inclusive, UTF-16 index) in <see cref="Extraction.ExtractedDocument.FullText"/>.</param>
/// <param name="EndOffset">End (exclusive) in the same text. With overlap, a chunk may start before the previous one ends.</param>
/// <param name="TokenCount">Estimated tokens (see <see cref="ITokenCounter"/>).</param>
public sealed record DocumentChunk(
    string Id,
    string DocumentId,
    int Ordinal,
    string Content,
    string Title,
    string SourcePath,
    int? Page,
    string? Heading,
    int StartOffset,
    int EndOffset,
    int TokenCount)
{
    /// <summary>Principals allowed to read this chunk; empty means everyone (security trimming is opt-in per document).</summary>
    public IReadOnlyList<string> OwnerIds { get; init; } = [];

    /// <summary>Groups allowed to read this chunk; empty means no group restriction.</summary>
    public IReadOnlyList<string> GroupIds { get; init; } = [];

    public static string MakeId(string documentId, int ordinal) => $"{documentId}-{ordinal}";
}
