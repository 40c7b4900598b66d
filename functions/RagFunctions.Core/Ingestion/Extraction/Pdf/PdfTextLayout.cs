using System.Text;

namespace RagFunctions.Core.Ingestion.Extraction.Pdf;

/// <summary>One visual line of a page, in content order.</summary>
internal sealed class PdfLine
{
    public StringBuilder Text { get; } = new();

    public double X { get; set; }

    public double Y { get; set; }

    public double Size { get; set; }

    public int BoldChars { get; set; }

    public int Chars { get; set; }

    public Dictionary<double, int> CharsBySize { get; } = [];
}

/// <summary>Turns positioned glyphs into lines and lines into paragraph blocks, using geometry only:
/// a gap wider than a tenth of the font size along the baseline is a word break; a baseline move larger than half the
/// font size, or going backwards, starts a new line; a line spacing larger than ~1.3 lines, or a change of font size,
/// starts a new block.</summary>
internal static class PdfTextLayout
{
    /// <summary>Word-break gap as a fraction of the font size (the same order as common PDF-to-text tools use).</summary>
    private const double WordGap = 0.1;

    /// <summary>Baseline shift (fraction of font size) still considered the same line (sub/superscripts).</summary>
    private const double SameLineShift = 0.5;

    /// <summary>Largest baseline distance, in line heights, between lines of one paragraph.</summary>
    private const double ParagraphLineSpacing = 1.32;

    public static List<PdfLine> Lines(IReadOnlyList<PositionedGlyph> glyphs)
    {
        var lines = new List<PdfLine>();
        PdfLine? line = null;
        PositionedGlyph previous = default;
        var pendingSpace = false;

        foreach (var glyph in glyphs)
        {
            var isSpace = string.IsNullOrWhiteSpace(glyph.Text);
            if (line is not null)
            {
                var (dirX, dirY) = Direction(previous);
                var dx = glyph.X0 - previous.X1;
                var dy = glyph.Y0 - previous.Y1;
                var along = dx * dirX + dy * dirY;
                var across = -dx * dirY + dy * dirX;
                var size = Math.Max(Math.Max(glyph.Size, previous.Size), 0.1);
                var sameLine = Math.Abs(across) <= SameLineShift * size && along >= -size * 0.6;
                if (!sameLine)
                {
                    line = null;
                    pendingSpace = false;
                }
                else if (along > WordGap * size)
                {
                    pendingSpace = true;
                }
            }

            if (isSpace)
            {
                if (line is not null)
                {
                    pendingSpace = true;
                    previous = glyph;
                }

                continue;
            }

            if (line is null)
            {
                line = new PdfLine { X = glyph.X0, Y = glyph.Y0, Size = glyph.Size };
                lines.Add(line);
            }
            else if (pendingSpace && line.Text.Length > 0 && line.Text[^1] != ' ')
            {
                line.Text.Append(' ');
            }

            pendingSpace = false;
            line.Text.Append(glyph.Text);
            var rounded = Math.Round(glyph.Size, 1);
            line.CharsBySize[rounded] = line.CharsBySize.GetValueOrDefault(rounded) + glyph.Text.Length;
            line.Chars += glyph.Text.Length;
            if (glyph.Bold)
            {
                line.BoldChars += glyph.Text.Length;
            }

            previous = glyph;
        }

        foreach (var l in lines)
        {
            l.Size = l.CharsBySize.MaxBy(kv => kv.Value).Key;
        }

        return lines;
    }

    /// <summary>Groups lines into paragraphs and marks headings: text noticeably larger than the document's body size,
    /// or a short single bold line.</summary>
    public static IEnumerable<(string Text, BlockKind Kind)> Blocks(IReadOnlyList<PdfLine> lines, double bodySize)
    {
        var group = new List<PdfLine>();
        foreach (var line in lines)
        {
            if (group.Count > 0 && !Continues(group[^1], line))
            {
                yield return Emit(group, bodySize);
                group.Clear();
            }

            group.Add(line);
        }

        if (group.Count > 0)
        {
            yield return Emit(group, bodySize);
        }
    }

    /// <summary>The font size carrying most characters, i.e. the body text size.</summary>
    public static double BodySize(IEnumerable<PdfLine> lines)
    {
        var counts = new Dictionary<double, int>();
        foreach (var line in lines)
        {
            foreach (var (size, chars) in line.CharsBySize)
            {
                counts[size] = counts.GetValueOrDefault(size) + chars;
            }
        }

        return counts.Count == 0 ? 0 : counts.MaxBy(kv => kv.Value).Key;
    }

    private static bool Continues(PdfLine previous, PdfLine next)
    {
        var size = Math.Max(previous.Size, next.Size);
        var spacing = previous.Y - next.Y;
        var similarSize = Math.Abs(previous.Size - next.Size) <= 0.12 * size;
        var similarWeight = IsBold(previous) == IsBold(next) || previous.Chars > 80;
        return spacing > 0 && spacing <= ParagraphLineSpacing * size && similarSize && similarWeight;
    }

    private static bool IsBold(PdfLine line) => line.BoldChars * 2 > line.Chars;

    private static (string Text, BlockKind Kind) Emit(List<PdfLine> group, double bodySize)
    {
        var sb = new StringBuilder();
        foreach (var line in group)
        {
            if (sb.Length > 0)
            {
                // A word hyphenated across a line break is joined again ("func-" + "tions").
                var hyphenated = sb.Length >= 2 && sb[^1] == '-' && char.IsLetter(sb[^2])
                                 && line.Text.Length > 0 && char.IsLower(line.Text[0]);
                if (hyphenated)
                {
                    sb.Length--;
                }
                else
                {
                    sb.Append('\n');
                }
            }

            sb.Append(line.Text);
        }

        var text = sb.ToString();
        var size = group.Max(l => l.Size);
        var letters = text.Count(char.IsLetter);
        var heading = letters > 0 && text.Length <= 200
            && ((bodySize > 0 && size >= bodySize * 1.12) || (group.Count == 1 && IsBold(group[0]) && text.Length <= 120));
        return (text, heading ? BlockKind.Heading : BlockKind.Paragraph);
    }

    private static (double X, double Y) Direction(PositionedGlyph glyph)
    {
        var dx = glyph.X1 - glyph.X0;
        var dy = glyph.Y1 - glyph.Y0;
        var length = Math.Sqrt(dx * dx + dy * dy);
        return length < 1e-9 ? (1, 0) : (dx / length, dy / length);
    }
}
