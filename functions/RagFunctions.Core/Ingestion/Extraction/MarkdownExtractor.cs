using System.Text;
using System.Text.RegularExpressions;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.md: a light CommonMark reader — ATX/setext headings, paragraphs, list items, fenced and indented code,
/// pipe tables and block quotes; inline markup (emphasis, links, images, code spans, HTML tags) is reduced to its text.
/// YAML front matter supplies the title when it has one.</summary>
public sealed partial class MarkdownExtractor : IDocumentExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var text = await StreamBytes.ReadTextAsync(content, cancellationToken).ConfigureAwait(false);
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var collector = new BlockCollector();
        var title = Parse(lines, collector);
        return collector.Build(title, fileName);
    }

    private static string? Parse(string[] lines, BlockCollector collector)
    {
        string? frontMatterTitle = null;
        var i = 0;
        if (lines.Length > 0 && lines[0].Trim() == "---")
        {
            var end = Array.FindIndex(lines, 1, l => l.Trim() is "---" or "...");
            if (end > 0)
            {
                for (var j = 1; j < end; j++)
                {
                    var m = FrontMatterTitle().Match(lines[j]);
                    if (m.Success)
                    {
                        frontMatterTitle = m.Groups[1].Value.Trim().Trim('"', '\'');
                    }
                }

                i = end + 1;
            }
        }

        var paragraph = new StringBuilder();
        StringBuilder? listItem = null;

        void FlushParagraph()
        {
            if (paragraph.Length > 0)
            {
                collector.Add(Inline(paragraph.ToString()), BlockKind.Paragraph);
                paragraph.Clear();
            }

            if (listItem is not null)
            {
                collector.Add(Inline(listItem.ToString()), BlockKind.ListItem);
                listItem = null;
            }
        }

        var previousBlank = true;
        while (i < lines.Length)
        {
            var line = lines[i];
            var trimmed = line.Trim();

            var fence = CodeFence().Match(line);
            if (fence.Success)
            {
                FlushParagraph();
                var marker = fence.Groups[1].Value;
                var code = new StringBuilder();
                i++;
                while (i < lines.Length && !lines[i].TrimStart().StartsWith(marker, StringComparison.Ordinal))
                {
                    code.Append(lines[i]).Append('\n');
                    i++;
                }

                collector.Add(code.ToString(), BlockKind.Code);
                i++;
                previousBlank = false;
                continue;
            }

            if (trimmed.Length == 0)
            {
                FlushParagraph();
                previousBlank = true;
                i++;
                continue;
            }

            var atx = AtxHeading().Match(line);
            if (atx.Success)
            {
                FlushParagraph();
                collector.Add(Inline(atx.Groups[1].Value), BlockKind.Heading);
                previousBlank = false;
                i++;
                continue;
            }

            if (paragraph.Length > 0 && listItem is null && i > 0 && SetextUnderline().IsMatch(line))
            {
                collector.Add(Inline(paragraph.ToString()), BlockKind.Heading);
                paragraph.Clear();
                previousBlank = false;
                i++;
                continue;
            }

            if (ThematicBreak().IsMatch(line))
            {
                FlushParagraph();
                previousBlank = true;
                i++;
                continue;
            }

            if (previousBlank && listItem is null && paragraph.Length == 0 && IndentedCode().IsMatch(line))
            {
                var code = new StringBuilder();
                while (i < lines.Length && (IndentedCode().IsMatch(lines[i]) || lines[i].Trim().Length == 0))
                {
                    code.Append(lines[i].Length >= 4 ? lines[i][4..] : string.Empty).Append('\n');
                    i++;
                }

                collector.Add(code.ToString(), BlockKind.Code);
                previousBlank = true;
                continue;
            }

            if (trimmed.StartsWith('|') && trimmed.Count(c => c == '|') >= 2)
            {
                FlushParagraph();
                if (!TableSeparator().IsMatch(trimmed))
                {
                    var cells = trimmed.Trim('|').Split('|').Select(c => Inline(c).Trim()).Where(c => c.Length > 0);
                    collector.Add(string.Join(" | ", cells), BlockKind.TableRow);
                }

                previousBlank = false;
                i++;
                continue;
            }

            var item = ListMarker().Match(line);
            if (item.Success)
            {
                FlushParagraph();
                listItem = new StringBuilder(item.Groups[1].Value);
                previousBlank = false;
                i++;
                continue;
            }

            var content = QuoteMarker().Replace(line, string.Empty);
            if (listItem is not null && (!previousBlank || line.StartsWith("  ", StringComparison.Ordinal)))
            {
                listItem.Append('\n').Append(content);
            }
            else
            {
                if (listItem is not null)
                {
                    FlushParagraph();
                }

                paragraph.Append(paragraph.Length > 0 ? "\n" : string.Empty).Append(content);
            }

            previousBlank = false;
            i++;
        }

        FlushParagraph();
        return frontMatterTitle;
    }

    /// <summary>Reduces inline markup to plain text.</summary>
    internal static string Inline(string text)
    {
        var t = Image().Replace(text, "$1");
        t = Link().Replace(t, "$1");
        t = AutoLink().Replace(t, "$1");
        t = HtmlTag().Replace(t, " ");
        t = CodeSpan().Replace(t, "$1");
        t = Emphasis().Replace(t, "$2");
        t = t.Replace("\\", string.Empty, StringComparison.Ordinal);
        return System.Net.WebUtility.HtmlDecode(t);
    }

    [GeneratedRegex(@"^\s{0,3}(```+|~~~+)")]
    private static partial Regex CodeFence();

    [GeneratedRegex(@"^\s{0,3}#{1,6}(?:\s+(.*?))?\s*#*\s*$")]
    private static partial Regex AtxHeading();

    [GeneratedRegex(@"^\s{0,3}(=+|-+)\s*$")]
    private static partial Regex SetextUnderline();

    [GeneratedRegex(@"^\s{0,3}([-*_])(\s*\1){2,}\s*$")]
    private static partial Regex ThematicBreak();

    [GeneratedRegex(@"^( {4}|\t)")]
    private static partial Regex IndentedCode();

    [GeneratedRegex(@"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")]
    private static partial Regex TableSeparator();

    [GeneratedRegex(@"^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?(.*)$")]
    private static partial Regex ListMarker();

    [GeneratedRegex(@"^\s{0,3}(>\s?)+")]
    private static partial Regex QuoteMarker();

    [GeneratedRegex(@"^title\s*:\s*(.+)$", RegexOptions.IgnoreCase)]
    private static partial Regex FrontMatterTitle();

    [GeneratedRegex(@"!\[([^\]]*)\]\([^)]*\)")]
    private static partial Regex Image();

    [GeneratedRegex(@"\[([^\]]+)\](?:\([^)]*\)|\[[^\]]*\])")]
    private static partial Regex Link();

    [GeneratedRegex(@"<((?:https?|mailto):[^>\s]+)>")]
    private static partial Regex AutoLink();

    [GeneratedRegex(@"</?[A-Za-z][^>]*>|<!--.*?-->")]
    private static partial Regex HtmlTag();

    [GeneratedRegex(@"`+([^`]+)`+")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(\*\*|__|\*|~~)(?=\S)(.+?)(?<=\S)\1")]
    private static partial Regex Emphasis();
}
