using System.Globalization;
using System.Text;
using RagFunctions.Core.History;

namespace RagFunctions.Api.Chat;

/// <summary>Markdown rendering of a conversation for export: each message with its sources listed under it.</summary>
/// <remarks>Everything that comes from users, models or documents (titles, messages, source names, paths, comments) is HTML-escaped
/// (<c>&amp;</c>, <c>&lt;</c>, <c>&gt;</c>): Markdown renderers pass raw HTML through, so a document carrying <c>&lt;script&gt;</c> must not
/// become markup in a viewer. Markdown emphasis, lists and citations [n] survive; escaped text shows as written.</remarks>
public static class ConversationExport
{
    public static string ToMarkdown(Conversation conversation, IReadOnlyList<ConversationMessage> messages)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(Text(OneLine(conversation.Title))).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Conversation: `{conversation.Id}`");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Context: {Text(conversation.ContextType)}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Status: {conversation.Status.ToString().ToLowerInvariant()}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Created: {conversation.CreatedAt:u}; updated: {conversation.UpdatedAt:u}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Messages: {messages.Count}");
        foreach (var m in messages)
        {
            sb.AppendLine();
            var who = m.Role switch { MessageRole.User => "User", MessageRole.Assistant => "Assistant", _ => "System" };
            sb.Append(CultureInfo.InvariantCulture, $"## {who} — {m.CreatedAt:u}");
            if (m.Metadata?.Model is { } model)
            {
                sb.Append(CultureInfo.InvariantCulture, $" ({Text(OneLine(model))})");
            }

            if (m.Incomplete)
            {
                sb.Append(" — incomplete");
            }

            sb.AppendLine().AppendLine().AppendLine(Text(m.Content));
            if (m.Citations is { Count: > 0 } citations)
            {
                sb.AppendLine().AppendLine("Sources:").AppendLine();
                foreach (var c in citations)
                {
                    var page = c.Page is { } p ? string.Create(CultureInfo.InvariantCulture, $", page {p}") : "";
                    // The path is escaped text, not a code span: entities are not decoded inside code spans, and a backtick in a path would end one.
                    sb.AppendLine(CultureInfo.InvariantCulture, $"- [{c.Number}] {Text(OneLine(c.Title))} — {Text(OneLine(c.SourcePath))}{page}");
                }
            }

            if (m.Feedback is { } feedback)
            {
                sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Feedback: {feedback.Rating}{(feedback.Comment is null ? "" : $" — {Text(OneLine(feedback.Comment))}")}");
            }
        }

        return sb.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>HTML-escapes text for Markdown (CommonMark decodes these entity references back to the characters when rendering).</summary>
    internal static string Text(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal).Replace("<", "&lt;", StringComparison.Ordinal).Replace(">", "&gt;", StringComparison.Ordinal);
}
