using System.Text;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>Accumulates blocks in reading order: normalises whitespace, drops empty blocks and stamps each block
/// with the nearest preceding heading, so every extractor applies the same rules.</summary>
internal sealed class BlockCollector
{
    private readonly List<TextBlock> _blocks = [];
    private string? _heading;

    public IReadOnlyList<TextBlock> Blocks => _blocks;

    /// <summary>First heading seen, used as a title fallback.</summary>
    public string? FirstHeading { get; private set; }

    public void Add(string? text, BlockKind kind, int? page = null)
    {
        if (text is null)
        {
            return;
        }

        var normalised = kind is BlockKind.Record or BlockKind.Code
            ? TextNormalization.NormaliseLines(text, keepIndentation: kind == BlockKind.Code)
            : TextNormalization.CollapseWhitespace(text);
        if (normalised.Length == 0)
        {
            return;
        }

        if (kind == BlockKind.Heading)
        {
            _heading = normalised;
            FirstHeading ??= normalised;
        }

        _blocks.Add(new TextBlock(normalised, kind, page, _heading));
    }

    public ExtractedDocument Build(string? metadataTitle, string fileName)
    {
        var title = DocumentTitle.Choose(metadataTitle, FirstHeading, fileName);
        return new ExtractedDocument(title, _blocks.ToArray());
    }
}

internal static class DocumentTitle
{
    private const int MaxTitleLength = 300;

    /// <summary>Metadata title, else first heading, else the file name without its extension.</summary>
    public static string Choose(string? metadataTitle, string? firstHeading, string fileName)
    {
        foreach (var candidate in new[] { metadataTitle, firstHeading })
        {
            var clean = TextNormalization.CollapseWhitespace(candidate ?? string.Empty);
            if (clean.Any(char.IsLetterOrDigit))
            {
                return clean.Length <= MaxTitleLength ? clean : clean[..MaxTitleLength].TrimEnd();
            }
        }

        var name = Path.GetFileNameWithoutExtension(fileName);
        return string.IsNullOrWhiteSpace(name) ? "Untitled" : name;
    }
}

internal static class TextNormalization
{
    /// <summary>All runs of whitespace (including NBSP and line breaks) become one space; control and
    /// zero-width characters are removed; ligature code points are expanded so words stay searchable.</summary>
    public static string CollapseWhitespace(string text)
    {
        var sb = new StringBuilder(text.Length);
        var pendingSpace = false;
        foreach (var ch in text)
        {
            if (char.IsWhiteSpace(ch))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (IsInvisible(ch))
            {
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            AppendExpanded(sb, ch);
        }

        return sb.ToString();
    }

    /// <summary>Keeps line structure (for records and code): each line is cleaned, blank lines at the ends are dropped,
    /// runs of blank lines become one.</summary>
    public static string NormaliseLines(string text, bool keepIndentation)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var cleaned = new List<string>(lines.Length);
        foreach (var raw in lines)
        {
            string line;
            if (keepIndentation)
            {
                var sb = new StringBuilder(raw.Length);
                foreach (var ch in raw.TrimEnd())
                {
                    if (ch == '\t')
                    {
                        sb.Append("    ");
                    }
                    else if (!IsInvisible(ch))
                    {
                        sb.Append(ch);
                    }
                }

                line = sb.ToString();
            }
            else
            {
                line = CollapseWhitespace(raw);
            }

            if (line.Length == 0 && (cleaned.Count == 0 || cleaned[^1].Length == 0))
            {
                continue;
            }

            cleaned.Add(line);
        }

        while (cleaned.Count > 0 && cleaned[^1].Length == 0)
        {
            cleaned.RemoveAt(cleaned.Count - 1);
        }

        return string.Join('\n', cleaned);
    }

    /// <summary>True when the text contains at least one letter or digit.</summary>
    public static bool HasWords(string text) => text.Any(char.IsLetterOrDigit);

    private static bool IsInvisible(char ch) =>
        ch is '\u00AD' or '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\uFFFD'
        || (char.IsControl(ch) && ch is not '\n' and not '\t');

    private static void AppendExpanded(StringBuilder sb, char ch)
    {
        switch (ch)
        {
            case '\uFB00': sb.Append("ff"); break;
            case '\uFB01': sb.Append("fi"); break;
            case '\uFB02': sb.Append("fl"); break;
            case '\uFB03': sb.Append("ffi"); break;
            case '\uFB04': sb.Append("ffl"); break;
            case '\uFB05':
            case '\uFB06': sb.Append("st"); break;
            default: sb.Append(ch); break;
        }
    }
}
