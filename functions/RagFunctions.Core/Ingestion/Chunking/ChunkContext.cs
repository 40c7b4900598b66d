namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>
/// The context a chunk is read in: its document title and heading, put before the chunk text when the chunk is embedded and
/// keyword-indexed, so a chunk deep in a section still matches questions about what the section is about. The prefix is
/// derived from <see cref="DocumentChunk.Title"/> and <see cref="DocumentChunk.Heading"/>, which are stored apart from
/// <see cref="DocumentChunk.Content"/>: citations and answers show the clean chunk text.
/// </summary>
public static class ChunkContext
{
    /// <summary>"title › heading", leaving out a heading equal to the title and any part the chunk text already starts with.</summary>
    public static string Prefix(string? title, string? heading, string content)
    {
        ArgumentNullException.ThrowIfNull(content);
        var parts = new List<string>(2);
        foreach (var part in new[] { title?.Trim(), heading?.Trim() })
        {
            if (!string.IsNullOrEmpty(part) && !parts.Contains(part, StringComparer.Ordinal)
                && !content.AsSpan().TrimStart().StartsWith(part, StringComparison.Ordinal))
            {
                parts.Add(part);
            }
        }

        return string.Join(" › ", parts);
    }

    /// <summary>The text an embedder and the keyword analyser read for a chunk: prefix, blank line, content.</summary>
    public static string Contextualise(string? title, string? heading, string content)
    {
        var prefix = Prefix(title, heading, content);
        return prefix.Length == 0 ? content : string.Concat(prefix, "\n\n", content);
    }

    /// <inheritdoc cref="Contextualise(string?, string?, string)"/>
    public static string Contextualise(DocumentChunk chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        return Contextualise(chunk.Title, chunk.Heading, chunk.Content);
    }
}
