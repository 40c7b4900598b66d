namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>
/// A fast, allocation-free estimate of OpenAI <c>cl100k_base</c> token counts, tuned to err on the high side.
/// </summary>
/// <remarks>
/// <para>There is no tokenizer package here, so budgets use this estimate. One left-to-right pass over the span sums
/// costs in quarter tokens (so fractional costs need no floating point) and rounds up at the end:</para>
/// <list type="bullet">
/// <item><b>ASCII word</b> (a run of letters, split again where a lower-case letter is followed by an upper-case one, as in
/// <c>camelCase</c>) of length L: <c>1 + max(0, L − 3) / 6</c> tokens. Common English words are one cl100k token; long or
/// rare words (and Indonesian ones) break into pieces of roughly 4–6 letters, which the slope covers.</item>
/// <item><b>ALL-CAPS word</b> (second letter upper-case): <c>ceil(L / 4)</c> tokens — cl100k splits capitals finely.</item>
/// <item><b>Digits</b>: <c>ceil(L / 3)</c> tokens (cl100k groups at most three digits), plus one when a space precedes them
/// (cl100k does not merge a space into a number).</item>
/// <item><b>Spaces</b>: a single space is free (it merges into the next token); a longer run costs one token per 16.
/// <b>Line breaks/tabs</b> (with any spaces among them): one token per 16 characters of the run.</item>
/// <item><b>Other ASCII</b> (punctuation, symbols): one token each.</item>
/// <item><b>CJK</b> (Han, kana, Hangul, CJK and full-width punctuation) and any <b>other non-ASCII</b> UTF-16 unit
/// (accented letters, other scripts, symbols, combining marks): one token each.
/// <b>Surrogate pairs</b> (emoji, rare Han): three tokens (their four UTF-8 bytes rarely merge).</item>
/// </list>
/// <para>Measured against real cl100k counts (js-tiktoken) on 42 English prose excerpts from Debian licences, copyright
/// files and man pages (test fixture <c>cl100k-reference.json</c>): estimate/real min 1.07, mean 1.24, max 1.45 — never
/// below, so the "not below the real count by more than 10%" rule holds with margin. Indonesian mean 0.98 (min 0.81),
/// Chinese/Japanese/Korean 0.95–1.27, C/Python code 1.2–1.3. Overestimating only makes chunks and batches a little smaller.</para>
/// <para>The estimate is subadditive enough for budgeting: counting two adjacent pieces separately gives at least the count
/// of their concatenation, except for rare off-by-one cases at a split inside a run of spaces.</para>
/// </remarks>
public sealed class TokenEstimator : ITokenCounter
{
    /// <summary>A shared instance; the estimator holds no state.</summary>
    public static TokenEstimator Instance { get; } = new();

    public int CountTokens(ReadOnlySpan<char> text)
    {
        long quarters = 0;
        var i = 0;
        var n = text.Length;
        while (i < n)
        {
            var c = text[i];
            if (char.IsAsciiLetter(c))
            {
                var start = i;
                i++;
                while (i < n && char.IsAsciiLetter(text[i]) && !(char.IsAsciiLetterUpper(text[i]) && char.IsAsciiLetterLower(text[i - 1])))
                {
                    i++;
                }

                var length = i - start;
                var allCaps = length > 1 && char.IsAsciiLetterUpper(text[start + 1]);
                quarters += allCaps ? 4 * ((length + 3) / 4) : 4 + (4 * Math.Max(0, length - 3) / 6);
            }
            else if (char.IsAsciiDigit(c))
            {
                if (i > 0 && text[i - 1] == ' ')
                {
                    quarters += 4;
                }

                var start = i;
                i++;
                while (i < n && char.IsAsciiDigit(text[i]))
                {
                    i++;
                }

                quarters += 4 * ((i - start + 2) / 3);
            }
            else if (c == ' ')
            {
                var start = i;
                i++;
                while (i < n && text[i] == ' ')
                {
                    i++;
                }

                var extra = i - start - 1;
                quarters += 4 * ((extra + 15) / 16);
            }
            else if (c is '\n' or '\r' or '\t')
            {
                var start = i;
                i++;
                while (i < n && text[i] is '\n' or '\r' or '\t' or ' ')
                {
                    i++;
                }

                quarters += 4 * ((i - start + 15) / 16);
            }
            else if (char.IsHighSurrogate(c) && i + 1 < n && char.IsLowSurrogate(text[i + 1]))
            {
                quarters += 12;
                i += 2;
            }
            else
            {
                // Other ASCII, CJK, other scripts, symbols, combining marks, lone surrogates: one token per UTF-16 unit.
                quarters += 4;
                i++;
            }
        }

        return (int)((quarters + 3) / 4);
    }
}
