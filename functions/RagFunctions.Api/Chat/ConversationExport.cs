using System.Globalization;
using System.Text;
using RagFunctions.Core.History;

namespace RagFunctions.Api.Chat;

/// <summary>Markdown rendering of a conversation for export: each message with its sources listed under it.</summary>
public static class ConversationExport
{
    public static string ToMarkdown(Conversation conversation, IReadOnlyList<ConversationMessage> messages)
    {
        var sb = new StringBuilder();
        sb.Append("# ").AppendLine(OneLine(conversation.Title)).AppendLine();
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Conversation: `{conversation.Id}`");
        sb.AppendLine(CultureInfo.InvariantCulture, $"- Context: {conversation.ContextType}");
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
                sb.Append(CultureInfo.InvariantCulture, $" ({model})");
            }

            if (m.Incomplete)
            {
                sb.Append(" — incomplete");
            }

            sb.AppendLine().AppendLine().AppendLine(m.Content);
            if (m.Citations is { Count: > 0 } citations)
            {
                sb.AppendLine().AppendLine("Sources:").AppendLine();
                foreach (var c in citations)
                {
                    var page = c.Page is { } p ? string.Create(CultureInfo.InvariantCulture, $", page {p}") : "";
                    sb.AppendLine(CultureInfo.InvariantCulture, $"- [{c.Number}] {OneLine(c.Title)} — `{c.SourcePath}`{page}");
                }
            }

            if (m.Feedback is { } feedback)
            {
                sb.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Feedback: {feedback.Rating}{(feedback.Comment is null ? "" : $" — {OneLine(feedback.Comment)}")}");
            }
        }

        return sb.ToString();
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
