using System.Text.Json;
using Microsoft.Extensions.AI;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;

namespace RagFunctions.Core.Chat;

/// <summary>A new user message for a conversation.</summary>
public sealed record TurnRequest(string Content, string? ParentMessageId = null);

/// <summary>One numbered source as it appears in the prompt.</summary>
public sealed record ContextSource(Citation Citation, string Content, int Tokens);

/// <summary>The numbered sources that fit the context budget.</summary>
/// <param name="DroppedForBudget">Hits that were retrieved but did not fit.</param>
public sealed record SourceContext(IReadOnlyList<ContextSource> Sources, int Tokens, int DroppedForBudget)
{
    public static SourceContext Empty { get; } = new([], 0, 0);

    public IReadOnlyList<Citation> Citations => [.. Sources.Select(s => s.Citation)];
}

/// <summary>The history turns that fit the history budget, plus the always-kept context summary.</summary>
public sealed record HistoryWindowResult(IReadOnlyList<ConversationMessage> Messages, string? Summary, int Tokens, int KeptTurns, int DroppedTurns);

/// <summary>The messages sent to the model.</summary>
public sealed record ChatPrompt(IReadOnlyList<ChatMessage> Messages, int EstimatedTokens);

/// <summary>One try of one model of the fallback chain.</summary>
/// <param name="Outcome"><c>answered</c>, <c>failed</c>, <c>timeout</c> or <c>interrupted</c> (failed after it had started streaming).</param>
public sealed record ModelAttempt(string Model, string Outcome, double ElapsedMs, string? Error = null);

/// <summary>A complete answer from the first model of the chain that answered.</summary>
public sealed record ModelAnswer(string Model, string Text, UsageDetails? Usage, IReadOnlyList<ModelAttempt> Attempts);

/// <summary>A streamed piece from the model that is answering.</summary>
public sealed record ModelStreamItem(string Model, string? Text, UsageDetails? Usage);

/// <summary>Everything decided before generation: the saved user message (none for regenerate/stateless), the prompt and its sources.</summary>
/// <param name="Conversation">Null for the stateless (Chat Protocol) path: nothing is persisted.</param>
/// <param name="UserMessage">The user message the answer replies to; for stateless calls an unsaved stand-in.</param>
/// <param name="ProvisionalTitle">The trimmed-first-message title this turn gave the conversation, to be replaced by a model-written one
/// once the answer is saved; null when this turn set no title or no title model is configured.</param>
public sealed record PreparedTurn(
    CallerIdentity Caller,
    Conversation? Conversation,
    ConversationMessage UserMessage,
    ChatPrompt Prompt,
    SourceContext Context,
    IReadOnlyDictionary<string, JsonElement> Diagnostics,
    string? ProvisionalTitle = null)
{
    /// <summary>True when the prompt carries the conversation's assessment profile (advisor conversations): the answer may rest on it
    /// even when no document is relevant.</summary>
    public bool ProfileUsed { get; init; }
}

/// <summary>The outcome of a turn; <see cref="AssistantMessage"/> is saved unless the turn was stateless.</summary>
public sealed record TurnResult(
    Conversation? Conversation,
    ConversationMessage UserMessage,
    ConversationMessage AssistantMessage,
    IReadOnlyList<Citation> Citations,
    IReadOnlyList<string> FollowupQuestions,
    TokenUsage Usage,
    string Model,
    double LatencyMs);

/// <summary>Typed events of a streamed turn, in order: context, delta*, followups, usage, done — or error (then nothing else).</summary>
public abstract record ChatTurnEvent;

/// <summary>The numbered sources the answer may cite, sent before any text.</summary>
public sealed record ContextEvent(ConversationMessage UserMessage, IReadOnlyList<Citation> Sources) : ChatTurnEvent;

/// <summary>A piece of answer text (already cleaned of unknown citations and follow-up markup).</summary>
public sealed record DeltaEvent(string Text) : ChatTurnEvent;

public sealed record FollowupsEvent(IReadOnlyList<string> Questions) : ChatTurnEvent;

public sealed record UsageEvent(TokenUsage Usage, string Model, double LatencyMs) : ChatTurnEvent;

/// <summary>The final (saved) assistant message with the citations it actually used.</summary>
public sealed record DoneEvent(TurnResult Result) : ChatTurnEvent;

/// <summary>The turn failed; <see cref="Problem"/> says how (e.g. every model failed). The user message stays saved.</summary>
public sealed record ErrorEvent(Common.ProblemException Problem) : ChatTurnEvent;
