using System.Globalization;

namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>Where text may be cut: sentence ends, word starts, and grapheme-cluster boundaries (never inside a surrogate
/// pair, never before a combining mark, ZWJ sequence or emoji modifier).</summary>
internal static class TextBoundaries
{
    /// <summary>True for scripts written without spaces between words, where every character may start a "word".</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30ff') // kana
            or (>= '\u3400' and <= '\u9fff') // Han (ext. A + unified)
            or (>= '\uac00' and <= '\ud7af') // Hangul syllables
            or (>= '\u1100' and <= '\u11ff') // Hangul jamo
            or (>= '\u3000' and <= '\u303f') // CJK punctuation
            or (>= '\uff00' and <= '\uffef') // full-width forms
            or (>= '\uf900' and <= '\ufaff'); // compatibility ideographs

    /// <summary>Full-width terminators end a sentence on their own (CJK puts no space after them).</summary>
    private static bool IsFullWidthTerminator(char c) => c is '。' or '！' or '？' or '．';

    private static bool IsAsciiTerminator(char c) => c is '.' or '!' or '?';

    private static bool IsClosing(char c) => c is '"' or '\'' or ')' or ']' or '”' or '’' or '」' or '』' or '）';

    /// <summary>
    /// True when a sentence starts at <paramref name="p"/>: the previous sentence ended with <c>. ! ?</c> (plus closing
    /// quotes/brackets) followed by whitespace, or with <c>。！？</c>; <paramref name="p"/> is the first character after
    /// the whitespace. Positions 0 and <c>text.Length</c> are not reported.
    /// </summary>
    public static bool IsSentenceStart(ReadOnlySpan<char> text, int p)
    {
        if (p <= 0 || p >= text.Length || char.IsWhiteSpace(text[p]))
        {
            return false;
        }

        var k = p - 1;
        if (IsFullWidthTerminator(text[k]) || (IsClosing(text[k]) && k > 0 && IsFullWidthTerminator(text[k - 1])))
        {
            return true;
        }

        if (!char.IsWhiteSpace(text[k]))
        {
            return false;
        }

        while (k > 0 && char.IsWhiteSpace(text[k]))
        {
            k--;
        }

        while (k > 0 && IsClosing(text[k]))
        {
            k--;
        }

        return IsAsciiTerminator(text[k]) || IsFullWidthTerminator(text[k]);
    }

    /// <summary>True when a word starts at <paramref name="p"/>: after whitespace, or at a CJK character (each is a word).</summary>
    public static bool IsWordStart(ReadOnlySpan<char> text, int p)
    {
        if (p <= 0 || p >= text.Length || char.IsWhiteSpace(text[p]))
        {
            return false;
        }

        var previous = text[p - 1];
        return char.IsWhiteSpace(previous)
            || ((IsCjk(text[p]) || IsCjk(previous)) && IsGraphemeBoundary(text, p));
    }

    /// <summary>True when cutting at <paramref name="p"/> splits no surrogate pair and no grapheme cluster.</summary>
    public static bool IsGraphemeBoundary(ReadOnlySpan<char> text, int p)
    {
        if (p <= 0 || p >= text.Length)
        {
            return true;
        }

        if (char.IsLowSurrogate(text[p]) && char.IsHighSurrogate(text[p - 1]))
        {
            return false;
        }

        // Walk back to a safe cluster start, then forward cluster by cluster until reaching or passing p.
        var start = p;
        var steps = 0;
        while (start > 0 && steps < 64 && !IsObviousClusterStart(text, start))
        {
            start--;
            steps++;
        }

        var q = start;
        while (q < p)
        {
            var length = StringInfo.GetNextTextElementLength(text[q..]);
            if (length <= 0)
            {
                return true;
            }

            q += length;
        }

        return q == p;
    }

    /// <summary>The largest position ≤ <paramref name="p"/> (and &gt; <paramref name="floor"/> when one exists) that is a grapheme
    /// boundary; falls back to a code-point boundary when a single cluster is longer than the room available.</summary>
    public static int GraphemeFloor(ReadOnlySpan<char> text, int floor, int p)
    {
        for (var q = p; q > floor; q--)
        {
            if (IsGraphemeBoundary(text, q))
            {
                return q;
            }
        }

        // One giant cluster (e.g. a letter with hundreds of combining marks): keep at least code points whole.
        for (var q = p; q > floor; q--)
        {
            if (!(char.IsLowSurrogate(text[q]) && char.IsHighSurrogate(text[q - 1])))
            {
                return q;
            }
        }

        return floor;
    }

    // A plain ASCII letter/space/punctuation not followed by a joiner or mark always begins a cluster, which bounds the walk back.
    private static bool IsObviousClusterStart(ReadOnlySpan<char> text, int p) =>
        text[p] < 0x300 && !char.IsSurrogate(text[p]) && p > 0 && text[p - 1] < 0x300 && text[p - 1] != '\r';
}
