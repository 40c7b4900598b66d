using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace RagFunctions.Core.Chat;

/// <summary>The delimited layout of the final user turn, written by <see cref="PromptBuilder"/> and read back by <see cref="ExtractiveAnswerer"/>
/// (one class so the two cannot drift apart):
/// <code>
/// &lt;sources&gt;
/// &lt;source id="1" title="…" path="…"&gt;
/// document text
/// &lt;/source&gt;
/// &lt;/sources&gt;
///
/// &lt;question&gt;
/// user text
/// &lt;/question&gt;
/// </code>
/// Document text, titles and user text are neutralised first: anything that looks like one of our delimiter tags is escaped,
/// so a document cannot close the sources block and smuggle instructions outside it.</summary>
public static partial class PromptFormat
{
    public const string SourcesOpen = "<sources>";
    public const string SourcesClose = "</sources>";
    public const string QuestionOpen = "<question>";
    public const string QuestionClose = "</question>";
    public const string ContextOpen = "<conversation_context>";
    public const string ContextClose = "</conversation_context>";

    /// <summary>Escapes delimiter-like tags (any case, with spaces or a slash) so the text stays data inside its block.</summary>
    public static string Neutralize(string text) => DelimiterTag().Replace(text, m => "&lt;" + m.Value[1..]);

    public static string RenderUserTurn(SourceContext context, string question)
    {
        var sb = new StringBuilder();
        sb.Append(SourcesOpen).Append('\n');
        foreach (var source in context.Sources)
        {
            var c = source.Citation;
            sb.Append(CultureInfo.InvariantCulture, $"<source id=\"{c.Number}\" title=\"{Attribute(c.Title)}\" path=\"{Attribute(c.SourcePath)}\"");
            if (c.Page is { } page)
            {
                sb.Append(CultureInfo.InvariantCulture, $" page=\"{page}\"");
            }

            sb.Append(">\n").Append(Neutralize(source.Content)).Append("\n</source>\n");
        }

        sb.Append(SourcesClose).Append("\n\n");
        sb.Append(QuestionOpen).Append('\n').Append(Neutralize(question.Trim())).Append('\n').Append(QuestionClose);
        return sb.ToString();
    }

    /// <summary>A source read back from a rendered user turn.</summary>
    public sealed record ParsedSource(int Number, string Title, string Content);

    /// <summary>Reads the question and sources from a user turn rendered by <see cref="RenderUserTurn"/>; false when the text has another shape.</summary>
    public static bool TryParseUserTurn(string text, out string question, out IReadOnlyList<ParsedSource> sources)
    {
        var q = QuestionBlock().Match(text);
        var s = SourcesBlock().Match(text);
        if (!q.Success || !s.Success)
        {
            question = text;
            sources = [];
            return false;
        }

        question = Unescape(q.Groups["q"].Value.Trim());
        sources = [.. SourceBlock().Matches(s.Groups["s"].Value).Select(m => new ParsedSource(
            int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture),
            Unescape(m.Groups["t"].Value),
            Unescape(m.Groups["c"].Value)))];
        return true;
    }

    private static string Attribute(string value) => Neutralize(value.Replace('"', '\'').Replace('\n', ' ').Replace('\r', ' '));

    private static string Unescape(string value) => EscapedTag().Replace(value, m => "<" + m.Value[4..]);

    [GeneratedRegex(@"<\s*/?\s*(?:sources|source|question|conversation_context)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DelimiterTag();

    [GeneratedRegex(@"&lt;\s*/?\s*(?:sources|source|question|conversation_context)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex EscapedTag();

    [GeneratedRegex(@"<question>\n(?<q>.*?)\n</question>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex QuestionBlock();

    [GeneratedRegex(@"<sources>\n(?<s>.*?)</sources>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SourcesBlock();

    [GeneratedRegex(@"<source id=""(?<n>\d+)"" title=""(?<t>[^""]*)""[^>\n]*>\n(?<c>.*?)\n</source>", RegexOptions.Singleline | RegexOptions.CultureInvariant)]
    private static partial Regex SourceBlock();
}
