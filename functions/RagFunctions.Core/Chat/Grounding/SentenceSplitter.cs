using System.Text.RegularExpressions;

namespace RagFunctions.Core.Chat.Grounding;

/// <summary>Splits document text into sentences for quoting. A period ends a sentence only when it is followed by white space
/// and a new sentence can start there: not after a known abbreviation (<c>e.g.</c>, <c>i.e.</c>, <c>Dr.</c>, <c>No.</c>, ...),
/// not after a single initial, not before a lower-case word (so "patches, etc. to the list" stays whole), and never inside a
/// decimal, URL or e-mail address (those contain no white space after their dots). Blank lines, list markers
/// (<c>-</c>, <c>*</c>, <c>•</c>, <c>1.</c>, <c>a)</c>) and heading-like short lines also start a new sentence.</summary>
public static partial class SentenceSplitter
{
    /// <summary>Abbreviations after which a period never ends a sentence (compared lower-case, without the final period).</summary>
    private static readonly HashSet<string> NeverFinal = new(StringComparer.Ordinal)
    {
        "e.g", "i.e", "cf", "vs", "viz", "approx", "ca", "dr", "mr", "mrs", "ms", "prof", "sr", "jr", "st", "no", "nos", "fig", "figs",
        "vol", "pp", "ch", "sec", "eq", "ref", "refs", "dept", "inc", "ltd", "co", "corp", "jan", "feb", "mar", "apr", "jun", "jul", "aug",
        "sep", "sept", "oct", "nov", "dec", "al", "op", "resp", "min", "max", "incl", "esp", "ed", "eds", "u.s", "u.k", "a.m", "p.m",
        "misc", "dll", "dsb", "dst", "yth", "tsb", "hlm", "bpk", "sdr",
    };

    /// <summary>Abbreviations that may end a sentence ("... patches, etc.") when the next word starts with a capital letter.</summary>
    private static readonly HashSet<string> MaybeFinal = new(StringComparer.Ordinal) { "etc", "et al", "and so on" };

    public static IReadOnlyList<string> Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sentences = new List<string>();
        foreach (var block in BlockBreak().Split(text))
        {
            SplitBlock(block, sentences);
        }

        return sentences;
    }

    private static void SplitBlock(string block, List<string> sentences)
    {
        var start = 0;
        for (var i = 0; i < block.Length; i++)
        {
            var c = block[i];
            if (c is not ('.' or '!' or '?' or '。' or '…'))
            {
                continue;
            }

            // Closing quotes/brackets belong to the sentence they end.
            var end = i + 1;
            while (end < block.Length && block[end] is '"' or '\'' or ')' or ']' or '”' or '’')
            {
                end++;
            }

            if (end < block.Length && !char.IsWhiteSpace(block[end]))
            {
                continue; // 3.14, www.example.org, a@b.c, "e.g." mid-token
            }

            var next = end;
            while (next < block.Length && char.IsWhiteSpace(block[next]))
            {
                next++;
            }

            if (next >= block.Length)
            {
                break;
            }

            if (c == '.' && !EndsSentence(block, start, i, block[next]))
            {
                continue;
            }

            Add(block[start..end], sentences);
            start = next;
            i = next - 1;
        }

        Add(block[start..], sentences);
    }

    private static bool EndsSentence(string block, int sentenceStart, int period, char nextChar)
    {
        var wordStart = period;
        while (wordStart > sentenceStart && !char.IsWhiteSpace(block[wordStart - 1]) && block[wordStart - 1] is not ('(' or '"' or '\''))
        {
            wordStart--;
        }

        var word = block[wordStart..period].ToLowerInvariant();
        if (NeverFinal.Contains(word))
        {
            return false;
        }

        if (word.Length == 1 && char.IsLetter(word[0]))
        {
            return false; // an initial ("J. Smith") or a list label ("a. first")
        }

        var startsLower = char.IsLower(nextChar);
        if (MaybeFinal.Contains(word))
        {
            return !startsLower && !char.IsDigit(nextChar);
        }

        // A lower-case continuation is almost never a new sentence in edited text ("approx. ten", "... etc. to the list").
        return !startsLower;
    }

    private static void Add(string sentence, List<string> sentences)
    {
        var flat = string.Join(' ', sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        flat = ListMarker().Replace(flat, "");
        if (flat.Count(char.IsLetterOrDigit) >= 3)
        {
            sentences.Add(flat);
        }
    }

    // Paragraph breaks, and line starts with a list marker, always separate sentences.
    [GeneratedRegex(@"\n[ \t]*\n|\n(?=[ \t]*(?:[-*•·]|\d{1,3}[.)]|[a-z][)])\s)", RegexOptions.CultureInvariant)]
    private static partial Regex BlockBreak();

    [GeneratedRegex(@"^(?:[-*•·]|\d{1,3}[.)]|[a-z][)])\s+", RegexOptions.CultureInvariant)]
    private static partial Regex ListMarker();
}
