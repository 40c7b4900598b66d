using System.Security.Cryptography;
using System.Text;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>
/// The key of a chunk's vector besides its embedder: SHA-256 (lower-case hex) of the exact text the embedder reads, i.e.
/// <see cref="ChunkContext.Contextualise(DocumentChunk)"/> — so a changed title or heading changes the key as surely as a
/// changed paragraph does, while a chunk that only moved (another ordinal, offset or page) keeps it.
/// </summary>
public static class ChunkTextHash
{
    /// <summary>Hex characters of a hash.</summary>
    public const int Length = 64;

    public static string Of(DocumentChunk chunk) => Of(ChunkContext.Contextualise(chunk));

    public static string Of(string embeddedText)
    {
        ArgumentNullException.ThrowIfNull(embeddedText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(embeddedText)));
    }
}
