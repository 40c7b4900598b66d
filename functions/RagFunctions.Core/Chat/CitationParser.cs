using System.Globalization;
using System.Text.RegularExpressions;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Chat;

/// <summary>The answer text with only valid citations, and the sources it cites (by their [n], in number order).</summary>
public sealed record ParsedCitations(string Text, IReadOnlyList<Citation> Citations);

/// <summary>Step 8: maps [n] (also [n, m] and [n][m]) to the numbered sources; a number with no source is removed from the text.</summary>
public static partial class CitationParser
{
    public static ParsedCitations Parse(string text, IReadOnlyList<Citation> sources)
    {
        var byNumber = sources.ToDictionary(s => s.Number);
        var cited = new SortedSet<int>();
        var cleaned = Clean(text, byNumber.ContainsKey, cited);
        return new ParsedCitations(cleaned, [.. cited.Select(n => byNumber[n])]);
    }

    /// <summary>Removes citations whose number is not valid (also used on streamed text, so the pieces match the final answer).</summary>
    public static string Clean(string text, Func<int, bool> isValid, ISet<int>? cited = null) =>
        CitationGroup().Replace(text, m =>
        {
            var numbers = m.Groups["n"].Value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                .Select(s => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1)
                .Where(isValid)
                .Distinct()
                .ToList();
            if (numbers.Count == 0)
            {
                return "";
            }

            foreach (var n in numbers)
            {
                cited?.Add(n);
            }

            return m.Groups["ws"].Value + string.Concat(numbers.Select(n => $"[{n}]"));
        });

    /// <summary>An optional single space, then [digits] or [digits, digits…]; not a markdown link (no "(" right after).</summary>
    [GeneratedRegex(@"(?<ws>[ \t]?)\[(?<n>\s*\d{1,4}\s*(?:,\s*\d{1,4}\s*)*)\](?!\()", RegexOptions.CultureInvariant)]
    private static partial Regex CitationGroup();
}
