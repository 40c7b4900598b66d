namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>What kind of structural unit a block is; the chunker prefers to split between blocks, and never inside a heading.</summary>
public enum BlockKind
{
    Heading,
    Paragraph,
    ListItem,
    TableRow,
    /// <summary>One self-contained record, e.g. a CSV row rendered as "column: value" lines.</summary>
    Record,
    Code,
}

/// <summary>One unit of extracted text in reading order.</summary>
/// <param name="Text">The text, whitespace-normalised, never empty.</param>
/// <param name="Kind">Structural kind.</param>
/// <param name="Page">1-based page number where the source has pages (PDF), else null.</param>
/// <param name="Heading">The nearest enclosing heading text (for a heading block: itself), else null.</param>
public sealed record TextBlock(string Text, BlockKind Kind, int? Page = null, string? Heading = null);

/// <summary>The text of a document in reading order, with its title (from metadata, first heading, or file name).</summary>
public sealed record ExtractedDocument(string Title, IReadOnlyList<TextBlock> Blocks)
{
    /// <summary>Separator placed between blocks when the document is seen as one text; chunk offsets refer to that text.</summary>
    public const string BlockSeparator = "\n\n";

    /// <summary>The whole document as one string: blocks joined by <see cref="BlockSeparator"/>.</summary>
    public string FullText => string.Join(BlockSeparator, Blocks.Select(b => b.Text));
}
