namespace RagFunctions.Core.Chat;

/// <summary>Bound from <c>RagFunctions:Chat</c>: the model fallback chain, prompt budgets and input limits of the turn pipeline.</summary>
public sealed class ChatPipelineOptions
{
    public const string Section = "RagFunctions:Chat";

    /// <summary>Models tried in order (deployment names / model ids). Empty → the local <see cref="ExtractiveAnswerer"/>.</summary>
    public List<ChatModelOptions> Models { get; set; } = [];

    /// <summary>Tokens the conversation history may take in the prompt (the context summary is always kept and counts first).</summary>
    public int HistoryTokenBudget { get; set; } = 4000;

    /// <summary>Tokens the numbered sources may take in the prompt.</summary>
    public int ContextTokenBudget { get; set; } = 2000;

    /// <summary>Hits requested from the hybrid index per turn.</summary>
    public int RetrievalTop { get; set; } = 5;

    /// <summary>Longest user message accepted, in characters.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>Longest conversation title accepted, in characters.</summary>
    public int MaxTitleLength { get; set; } = 200;

    /// <summary>How long the first model may take to write a conversation's title (see <see cref="ConversationTitleWriter"/>);
    /// after that the trimmed first message stays the title. Short on purpose: the title call runs alongside the answer.</summary>
    public int TitleTimeoutSeconds { get; set; } = 5;

    /// <summary>How long the first model may take to rewrite a follow-up into a standalone search question before retrieval
    /// (only with models configured); after that the raw message is searched.</summary>
    public int RewriteTimeoutSeconds { get; set; } = 3;

    /// <summary>Share (0–1) of the question's content words a retrieved passage must contain to be used as a source; when none does,
    /// the answer says the documents do not cover the question. 0 turns the check off.</summary>
    public double RelevanceFloor { get; set; } = 0.6;

    /// <summary>When no passage reaches <see cref="RelevanceFloor"/>, passages whose embedding has at least this cosine similarity to
    /// the question's are sources after all (a question in another language, a paraphrase). Calibrated on the default local embedder
    /// (all-MiniLM-L6-v2); measure again for another one. 0 turns the check off.</summary>
    public double VectorRelevanceFloor { get; set; } = 0.3;
}

/// <summary>One model of the fallback chain.</summary>
public sealed class ChatModelOptions
{
    public string Name { get; set; } = "";

    /// <summary>How long this model may take (whole answer; time to first token when streaming) before the next one is tried.</summary>
    public int TimeoutSeconds { get; set; } = 30;
}
