using System.Text.RegularExpressions;

namespace RagFunctions.Core.Chat;

/// <summary>The answer without its follow-up section, and up to <see cref="FollowupParser.MaxQuestions"/> questions.</summary>
public sealed record ParsedFollowups(string Text, IReadOnlyList<string> Questions);

/// <summary>Step 9: reads follow-up questions from the model's output — <c>&lt;&lt;q&gt;&gt;</c> markers anywhere, or a
/// "Follow-up questions:" heading followed by a list — and removes them from the answer text.</summary>
public static partial class FollowupParser
{
    public const int MaxQuestions = 3;
    private const int MaxQuestionLength = 200;

    public static ParsedFollowups Parse(string text)
    {
        var questions = new List<string>();
        foreach (Match m in Marker().Matches(text))
        {
            questions.Add(m.Groups["q"].Value);
        }

        var rest = Marker().Replace(text, "");
        var unclosed = rest.IndexOf("<<", StringComparison.Ordinal);
        if (unclosed >= 0)
        {
            rest = rest[..unclosed]; // a marker cut off at the end of the output
        }

        var heading = Heading().Match(rest);
        if (heading.Success)
        {
            foreach (Match item in ListItem().Matches(rest[(heading.Index + heading.Length)..]))
            {
                questions.Add(item.Groups["q"].Value);
            }

            rest = rest[..heading.Index];
        }

        var cleaned = questions
            .Select(q => CitationParser.Clean(q, _ => false).Trim().Trim('"', '*').Trim())
            .Where(q => q.Length > 0)
            .Select(q => q.Length <= MaxQuestionLength ? q : q[..MaxQuestionLength])
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Take(MaxQuestions)
            .ToList();
        return new ParsedFollowups(rest.TrimEnd(), cleaned);
    }

    [GeneratedRegex(@"<<(?<q>[^<>]+?)>>", RegexOptions.CultureInvariant)]
    private static partial Regex Marker();

    /// <summary>A line that is only a follow-up heading (markdown decoration allowed).</summary>
    [GeneratedRegex(@"(?:^|\n)[ \t#*_]*(?:suggested[ \t]+)?follow[- ]?up[ \t]+questions?[ \t*_]*:?[ \t*_]*(?=\n|$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    internal static partial Regex Heading();

    [GeneratedRegex(@"^[ \t]*(?:[-*•]|\d{1,2}[.)])[ \t]+(?<q>.+?)[ \t]*$", RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex ListItem();
}
