using RagFunctions.Core.History;
using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Chat;

/// <summary>Step 3: the newest whole turns (a user message and its answer) that fit the history budget.
/// Oldest turns go first; the conversation's context summary is always kept and its tokens count first.</summary>
public sealed class HistoryWindow(ITokenCounter tokenCounter)
{
    /// <summary>Per-message overhead of the chat format (role markers), so budgets are not overrun by many short messages.</summary>
    internal const int MessageOverheadTokens = 4;

    /// <param name="history">Earlier messages in chronological order (the new user message excluded).</param>
    public HistoryWindowResult Select(IReadOnlyList<ConversationMessage> history, string? contextSummary, int tokenBudget)
    {
        var summary = string.IsNullOrWhiteSpace(contextSummary) ? null : contextSummary.Trim();
        var used = summary is null ? 0 : tokenCounter.CountTokens(summary) + MessageOverheadTokens;

        var turns = new List<List<ConversationMessage>>();
        foreach (var message in VisibleThread(history))
        {
            if (message.Role == MessageRole.System || string.IsNullOrWhiteSpace(message.Content))
            {
                continue;
            }

            if (message.Role == MessageRole.User || turns.Count == 0)
            {
                turns.Add([message]);
            }
            else
            {
                turns[^1].Add(message);
            }
        }

        var kept = new List<List<ConversationMessage>>();
        for (var i = turns.Count - 1; i >= 0; i--)
        {
            var cost = turns[i].Sum(m => tokenCounter.CountTokens(m.Content) + MessageOverheadTokens);
            if (used + cost > tokenBudget)
            {
                break;
            }

            used += cost;
            kept.Add(turns[i]);
        }

        kept.Reverse();
        return new HistoryWindowResult([.. kept.SelectMany(t => t)], summary, used, kept.Count, turns.Count - kept.Count);
    }

    /// <summary>The thread as the user sees it: of regenerated answers (assistant siblings of one user message) only the newest.</summary>
    public static IReadOnlyList<ConversationMessage> VisibleThread(IReadOnlyList<ConversationMessage> messages)
    {
        var newestAnswer = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var m in messages)
        {
            if (m.Role == MessageRole.Assistant && m.ParentMessageId is { } parent)
            {
                newestAnswer[parent] = m.Id; // chronological order: the last one wins
            }
        }

        return [.. messages.Where(m => m.Role != MessageRole.Assistant || m.ParentMessageId is null || newestAnswer[m.ParentMessageId] == m.Id)];
    }
}
