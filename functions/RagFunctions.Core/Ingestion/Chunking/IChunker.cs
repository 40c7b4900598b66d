using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>Identity of the document being chunked.</summary>
public sealed record ChunkSource(string DocumentId, string SourcePath);

/// <summary>Splits an extracted document into token-budgeted chunks, structure first (headings, paragraphs, sentences), characters last.</summary>
public interface IChunker
{
    IReadOnlyList<DocumentChunk> Chunk(ChunkSource source, ExtractedDocument document);
}
