using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Chat.Grounding;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Limits;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Chat;

/// <summary>The turn pipeline: load conversation → persist user message → history window → retrieval → context → prompt
/// → model fallback chain → citations → follow-ups → persist assistant message (atomically with the conversation's updatedAt).
/// Split in two so hosts can answer problems (404, 409, 400) as plain problem+json before a stream starts:
/// a <c>Prepare…</c> method, then <see cref="CompleteAsync"/> (one answer) or <see cref="StreamAsync"/> (typed events).
/// A conversation's first turn is titled with the trimmed message at once; where a title model is configured
/// (<paramref name="titleWriter"/>), a model-written title is requested alongside the answer and replaces it once the answer is saved.</summary>
public sealed class ChatTurnPipeline(
    IConversationStore store,
    ConversationLoader loader,
    HistoryWindow historyWindow,
    SourceRetriever retriever,
    ContextBuilder contextBuilder,
    PromptBuilder promptBuilder,
    ModelFallbackChain models,
    ITokenCounter tokenCounter,
    IOptions<ChatPipelineOptions> options,
    TimeProvider time,
    ILogger<ChatTurnPipeline> logger,
    ConversationTitleWriter? titleWriter = null,
    RetrievalQueryPlanner? queryPlanner = null,
    UsageLimiter? limiter = null,
    Triage.MessageTriager? triager = null)
{
    /// <summary>Messages read for the history window; the token budget trims further.</summary>
    internal const int HistoryLoadLimit = 100;

    private static readonly JsonSerializerOptions DiagnosticsJson = new(JsonSerializerDefaults.Web);

    /// <summary>Throws a validation problem for empty, whitespace-only or too long message content.</summary>
    public void ValidateContent(string? content, string field = "content")
    {
        if (string.IsNullOrWhiteSpace(content))
        {
            throw new ValidationProblemException(field, "The message content must not be empty.");
        }

        var max = options.Value.MaxMessageLength;
        if (content.Length > max)
        {
            throw new ValidationProblemException(field, $"The message content is {content.Length} characters long; the limit is {max}.");
        }
    }

    /// <summary>Validates, checks the conversation can take messages, saves the user message and builds the prompt.</summary>
    public async Task<PreparedTurn> PrepareTurnAsync(CallerIdentity caller, string conversationId, TurnRequest request, CancellationToken cancellationToken)
    {
        ValidateContent(request.Content);
        var conversation = await loader.LoadWritableAsync(caller.UserId, conversationId, cancellationToken).ConfigureAwait(false);
        if (request.ParentMessageId is { } parentId
            && await store.GetMessageAsync(caller.UserId, conversationId, parentId, cancellationToken).ConfigureAwait(false) is null)
        {
            throw new ValidationProblemException("parentMessageId", $"Message '{parentId}' does not exist in this conversation.");
        }

        await AdmitAsync(caller, cancellationToken).ConfigureAwait(false);
        var history = (await store.ListMessagesAsync(caller.UserId, conversationId, HistoryLoadLimit, null, cancellationToken).ConfigureAwait(false)).Items;
        var content = request.Content.Trim();
        (conversation, var titleSet) = await TitleFromFirstMessageAsync(conversation, content, cancellationToken).ConfigureAwait(false);

        var now = time.GetUtcNow();
        var triage = triager is null ? null : await triager.AssessAsync(content, history, cancellationToken).ConfigureAwait(false);
        var userMessage = new ConversationMessage(NewId(), conversationId, caller.UserId, MessageRole.User, content, now, request.ParentMessageId, Triage: triage);
        conversation = await store.AppendMessagesAsync(caller.UserId, conversationId, [userMessage], now, cancellationToken).ConfigureAwait(false);
        logger.LogInformation("Saved user message {MessageId} in conversation {ConversationId}", userMessage.Id, conversationId);
        var turn = await BuildAsync(caller, conversation, userMessage, history, null, cancellationToken).ConfigureAwait(false);
        return titleWriter?.ModelName is null ? turn : turn with { ProvisionalTitle = titleSet };
    }

    /// <summary>Prepares a new answer to the user message <paramref name="messageId"/> (or to the user message an assistant message answered).
    /// Nothing is written until the new answer is saved as a sibling of the old one.</summary>
    public async Task<PreparedTurn> PrepareRegenerationAsync(CallerIdentity caller, string conversationId, string messageId, CancellationToken cancellationToken)
    {
        var conversation = await loader.LoadWritableAsync(caller.UserId, conversationId, cancellationToken).ConfigureAwait(false);
        var message = await store.GetMessageAsync(caller.UserId, conversationId, messageId, cancellationToken).ConfigureAwait(false)
            ?? throw new NotFoundProblemException($"Message '{messageId}' was not found in conversation '{conversationId}'.");
        var userMessage = message.Role switch
        {
            MessageRole.User => message,
            MessageRole.Assistant when message.ParentMessageId is { } parent =>
                await store.GetMessageAsync(caller.UserId, conversationId, parent, cancellationToken).ConfigureAwait(false)
                ?? throw new ConflictProblemException($"The user message that message '{messageId}' answered no longer exists."),
            _ => throw new ValidationProblemException("messageId", "Only a user message or an answer to one can be regenerated."),
        };

        await AdmitAsync(caller, cancellationToken).ConfigureAwait(false);
        var history = (await store.ListMessagesAsync(caller.UserId, conversationId, HistoryLoadLimit, userMessage.Id, cancellationToken).ConfigureAwait(false)).Items;
        var latest = (await store.ListMessagesAsync(caller.UserId, conversationId, HistoryLoadLimit, null, cancellationToken).ConfigureAwait(false)).Items;
        var previousAnswers = latest
            .Where(m => m.Role == MessageRole.Assistant && m.ParentMessageId == userMessage.Id && !string.IsNullOrWhiteSpace(m.Content))
            .Select(m => m.Content)
            .ToList();
        return await BuildAsync(caller, conversation, userMessage, history, null, cancellationToken, previousAnswers).ConfigureAwait(false);
    }

    /// <summary>A one-shot turn that persists nothing (the Chat Protocol endpoints): the client sends the history it wants considered.
    /// Client-sent system messages are ignored; the system prompt is ours.</summary>
    public async Task<PreparedTurn> PrepareStatelessAsync(
        CallerIdentity caller, IReadOnlyList<(MessageRole Role, string Content)> earlierMessages, string question, int? top, CancellationToken cancellationToken)
    {
        ValidateContent(question);
        await AdmitAsync(caller, cancellationToken).ConfigureAwait(false);
        var now = time.GetUtcNow();
        var history = earlierMessages
            .Where(m => m.Role != MessageRole.System)
            .Select((m, i) => new ConversationMessage($"h{i}", "", caller.UserId, m.Role, m.Content, now))
            .ToList();
        var userMessage = new ConversationMessage(NewId(), "", caller.UserId, MessageRole.User, question.Trim(), now);
        return await BuildAsync(caller, null, userMessage, history, top, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Generates and saves the whole answer. All models down → <see cref="UpstreamUnavailableProblemException"/> (the user message stays saved).</summary>
    public async Task<TurnResult> CompleteAsync(PreparedTurn turn, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var title = StartModelTitle(turn, cancellationToken);
        try
        {
            ModelAnswer answer;
            try
            {
                answer = await models.GetResponseAsync(turn.Prompt.Messages, cancellationToken).ConfigureAwait(false);
            }
            catch (UpstreamUnavailableProblemException ex)
            {
                logger.LogError("No model answered for conversation {ConversationId}: {Reason}", turn.Conversation?.Id, ex.Message);
                logger.LogDebug(ex, "No model answered: detail");
                throw;
            }

            // The answer is paid for: save it even if the caller has gone in the meantime.
            var result = await FinishAsync(turn, answer.Text, answer.Model, answer.Usage, answer.Attempts, clock.Elapsed, incomplete: false).ConfigureAwait(false);
            return await ApplyModelTitleAsync(turn, result, title).ConfigureAwait(false);
        }
        finally
        {
            title?.Release();
        }
    }

    /// <summary>Streams the turn as typed events. A consumer that stops early (client disconnected) still leaves the assistant message saved,
    /// marked incomplete, with what had been generated. When every model fails the stream ends with an <see cref="ErrorEvent"/> and no assistant message.</summary>
    public async IAsyncEnumerable<ChatTurnEvent> StreamAsync(PreparedTurn turn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var attempts = new List<ModelAttempt>();
        var raw = new StringBuilder();
        var sourceCount = turn.Context.Sources.Count;
        var filter = new StreamingAnswerFilter(n => n >= 1 && n <= sourceCount);
        string? model = null;
        UsageDetails? usage = null;
        var settled = false; // true once the assistant message is saved, or deliberately not saved
        IAsyncEnumerator<ModelStreamItem>? items = null;
        var title = StartModelTitle(turn, cancellationToken);
        try
        {
            yield return new ContextEvent(turn.UserMessage, turn.Context.Citations);
            items = models.StreamAsync(turn.Prompt.Messages, attempts, cancellationToken).GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                var (item, problem) = await NextAsync(items, cancellationToken).ConfigureAwait(false);
                if (problem is not null)
                {
                    if (model is not null)
                    {
                        // Interrupted mid-answer: keep what the user already saw.
                        await FinishAsync(turn, raw.ToString(), model, usage, attempts, clock.Elapsed, incomplete: true).ConfigureAwait(false);
                    }
                    else
                    {
                        logger.LogError("No model answered for conversation {ConversationId}: {Reason}", turn.Conversation?.Id, problem.Message);
                        logger.LogDebug(problem, "No model answered: detail");
                    }

                    settled = true;
                    yield return new ErrorEvent(problem);
                    yield break;
                }

                if (item is null)
                {
                    break;
                }

                model = item.Model;
                usage = item.Usage ?? usage;
                raw.Append(item.Text);
                var safe = filter.Push(item.Text);
                if (safe.Length > 0)
                {
                    yield return new DeltaEvent(safe);
                }
            }

            var tail = filter.Flush();
            if (tail.Length > 0)
            {
                yield return new DeltaEvent(tail);
            }

            var result = await FinishAsync(turn, raw.ToString(), model ?? models.ModelNames[0], usage, attempts, clock.Elapsed, incomplete: false).ConfigureAwait(false);
            settled = true;
            yield return new FollowupsEvent(result.FollowupQuestions);
            yield return new UsageEvent(result.Usage, result.Model, result.LatencyMs);
            yield return new DoneEvent(result);

            // The client has the whole answer; the title (requested alongside it) only has to be stored.
            await ApplyModelTitleAsync(turn, result, title).ConfigureAwait(false);
        }
        finally
        {
            title?.Release();
            if (items is not null)
            {
                await DisposeQuietlyAsync(items).ConfigureAwait(false);
            }

            if (!settled)
            {
                await SaveIncompleteAsync(turn, raw.ToString(), model, usage, attempts, clock.Elapsed).ConfigureAwait(false);
            }
        }
    }

    private async Task SaveIncompleteAsync(PreparedTurn turn, string raw, string? model, UsageDetails? usage, List<ModelAttempt> attempts, TimeSpan elapsed)
    {
        try
        {
            var result = await FinishAsync(turn, raw, model, usage, attempts, elapsed, incomplete: true).ConfigureAwait(false);
            logger.LogInformation("Stream for conversation {ConversationId} stopped early; saved incomplete answer {MessageId}",
                turn.Conversation?.Id, result.AssistantMessage.Id);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not save the incomplete answer for conversation {ConversationId}", turn.Conversation?.Id);
        }
    }

    private static async Task<(ModelStreamItem? Item, ProblemException? Problem)> NextAsync(IAsyncEnumerator<ModelStreamItem> items, CancellationToken cancellationToken)
    {
        try
        {
            return (await items.MoveNextAsync().ConfigureAwait(false) ? items.Current : null, null);
        }
        catch (ProblemException problem)
        {
            return (null, problem);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return (null, new UpstreamUnavailableProblemException("The model failed while answering.", ex));
        }
    }

    private static async ValueTask DisposeQuietlyAsync(IAsyncEnumerator<ModelStreamItem> items)
    {
        try
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception)
        {
            // The model stream is being abandoned; its disposal errors carry no information for the user.
        }
    }

    private async Task<PreparedTurn> BuildAsync(
        CallerIdentity caller,
        Conversation? conversation,
        ConversationMessage userMessage,
        IReadOnlyList<ConversationMessage> history,
        int? top,
        CancellationToken cancellationToken,
        IReadOnlyList<string>? previousAnswers = null)
    {
        var o = options.Value;
        var window = historyWindow.Select(history, conversation?.ContextSummary, o.HistoryTokenBudget);
        var query = queryPlanner is null
            ? new RetrievalQuery(userMessage.Content, "message")
            : await queryPlanner.PlanAsync(userMessage.Content, history, conversation?.ContextSummary, cancellationToken).ConfigureAwait(false);
        var retrieval = await retriever.RetrieveAsync(query.Text, caller, Math.Clamp(top ?? o.RetrievalTop, 1, 50), cancellationToken).ConfigureAwait(false);
        var grounding = RelevanceFloor.Check(query.Text, retrieval.Hits, o.RelevanceFloor, query.Topic);
        if (!grounding.Relevant && o.RelevanceFloor > 0 && o.VectorRelevanceFloor > 0
            && await retriever.SimilaritiesAsync(retrieval, cancellationToken).ConfigureAwait(false) is { } similarities)
        {
            grounding = RelevanceFloor.WithVectors(grounding, retrieval.Hits, similarities, o.VectorRelevanceFloor);
        }

        var context = grounding.Relevant ? contextBuilder.Build(grounding.Kept, o.ContextTokenBudget) : SourceContext.Empty;
        // Advisor conversations carry the validated assessment results; career questions are answered from them.
        var profile = conversation is { ContextType: ContextTypes.Assessment or ContextTypes.CareerGuidance }
            ? Assessment.AssessmentConversationService.ResultsOf(conversation)
            : null;
        var prompt = promptBuilder.Build(conversation?.ContextType ?? ContextTypes.General, window, context, userMessage.Content, query.Text, previousAnswers, profile);
        var diagnostics = new Dictionary<string, JsonElement>
        {
            ["query"] = ToJson(new { text = query.Text, mode = query.Mode, model = query.Model, elapsedMs = Math.Round(query.ElapsedMs, 2), note = query.Note }),
            ["grounding"] = ToJson(new
            {
                relevant = grounding.Relevant,
                bestCoverage = Math.Round(grounding.BestCoverage, 3),
                floor = grounding.Floor,
                by = grounding.By,
                bestSimilarity = grounding.BestSimilarity is { } similarity ? Math.Round(similarity, 3) : (double?)null,
                vectorFloor = grounding.VectorFloor,
                keptHits = grounding.Kept.Count,
            }),
            ["retrieval"] = ToJson(new
            {
                hits = retrieval.Hits.Count,
                sourcesUsed = context.Sources.Count,
                droppedForBudget = context.DroppedForBudget,
                contextTokens = context.Tokens,
                vectorUsed = retrieval.VectorUsed,
                embeddingMs = Math.Round(retrieval.EmbeddingMs, 2),
                searchMs = Math.Round(retrieval.SearchMs, 2),
                results = retrieval.Hits.Select(h => new { chunkId = h.Chunk.Id, score = h.Score, foundBy = FoundByNames.Of(h.FoundBy), h.KeywordRank, h.VectorRank }),
            }),
            ["history"] = ToJson(new { window.KeptTurns, window.DroppedTurns, window.Tokens, summaryKept = window.Summary is not null }),
            ["promptTokens"] = ToJson(prompt.EstimatedTokens),
        };
        diagnostics["profileUsed"] = ToJson(profile is not null);
        return new PreparedTurn(caller, conversation, userMessage, prompt, context, diagnostics) { ProfileUsed = profile is not null };
    }

    private async Task<TurnResult> FinishAsync(
        PreparedTurn turn, string rawText, string? model, UsageDetails? usage, IReadOnlyList<ModelAttempt> attempts, TimeSpan latency, bool incomplete)
    {
        var followups = FollowupParser.Parse(rawText);
        if (turn.Context.Sources.Count == 0 && !turn.ProfileUsed)
        {
            // Nothing relevant was found: follow-ups would point at sources the answer could not use.
            followups = followups with { Questions = [] };
        }

        var cited = CitationParser.Parse(followups.Text, turn.Context.Citations);
        var tokens = new TokenUsage(
            (int?)usage?.InputTokenCount ?? turn.Prompt.EstimatedTokens,
            (int?)usage?.OutputTokenCount ?? tokenCounter.CountTokens(rawText));
        var diagnostics = new Dictionary<string, JsonElement>(turn.Diagnostics) { ["models"] = ToJson(attempts) };
        var now = time.GetUtcNow();
        var conversation = turn.Conversation;
        var assistant = new ConversationMessage(
            NewId(),
            conversation?.Id ?? "",
            turn.Caller.UserId,
            MessageRole.Assistant,
            cited.Text.Trim(),
            now,
            ParentMessageId: turn.UserMessage.Id,
            Incomplete: incomplete,
            Citations: cited.Citations,
            FollowupQuestions: followups.Questions,
            Metadata: new MessageMetadata("answer", model, tokens, Math.Round(latency.TotalMilliseconds, 2), diagnostics));
        if (conversation is not null)
        {
            // CancellationToken.None: the answer exists; a client that went away must not lose it.
            conversation = await store.AppendMessagesAsync(turn.Caller.UserId, conversation.Id, [assistant], now, CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("Saved answer {MessageId} from {Model} in conversation {ConversationId} ({PromptTokens}+{CompletionTokens} tokens, incomplete: {Incomplete})",
                assistant.Id, model, conversation.Id, tokens.PromptTokens, tokens.CompletionTokens, incomplete);
        }

        if (limiter is not null)
        {
            // Counted after the answer exists (stateless turns too); CancellationToken.None for the same reason the answer is saved.
            await limiter.RecordTokensAsync(turn.Caller.UserId, tokens, CancellationToken.None).ConfigureAwait(false);
        }

        return new TurnResult(conversation, turn.UserMessage, assistant, cited.Citations, followups.Questions, tokens, model ?? "none", assistant.Metadata!.LatencyMs ?? 0);
    }

    /// <summary>Every turn (new message, regeneration, stateless call) is one message against the caller's limits; nothing is written when refused.</summary>
    private Task AdmitAsync(CallerIdentity caller, CancellationToken cancellationToken) =>
        limiter?.AdmitMessageAsync(caller.UserId, cancellationToken) ?? Task.CompletedTask;

    /// <summary>Titles an untitled conversation with its first message, trimmed. Returns the title set, or null when none was.</summary>
    private async Task<(Conversation Conversation, string? TitleSet)> TitleFromFirstMessageAsync(Conversation conversation, string content, CancellationToken cancellationToken)
    {
        if (conversation.MessageCount > 0 || conversation.Title != ConversationTitles.Default)
        {
            return (conversation, null);
        }

        var title = ConversationTitles.FromFirstMessage(content);
        try
        {
            return (await store.UpdateConversationAsync(conversation with { Title = title }, cancellationToken).ConfigureAwait(false), title);
        }
        catch (ConcurrencyProblemException)
        {
            // Someone renamed or wrote first; their title wins and the turn goes on.
            return (conversation, null);
        }
    }

    /// <summary>Starts the model title for a first turn, on the thread pool so a client that blocks before its first await cannot delay the answer.</summary>
    private PendingTitle? StartModelTitle(PreparedTurn turn, CancellationToken cancellationToken)
    {
        if (turn.ProvisionalTitle is null || turn.Conversation is null || titleWriter?.ModelName is null)
        {
            return null;
        }

        var writer = titleWriter;
        var release = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var content = turn.UserMessage.Content;
        return new PendingTitle(Task.Run(() => writer.WriteAsync(content, release.Token), CancellationToken.None), release);
    }

    /// <summary>Replaces the provisional title with the model's, unless the model gave none, the user renamed the conversation meanwhile,
    /// or the conversation changed since the answer was saved (ETag). Never fails the turn.</summary>
    private async Task<TurnResult> ApplyModelTitleAsync(PreparedTurn turn, TurnResult result, PendingTitle? pending)
    {
        if (pending is null || result.Conversation is not { } conversation)
        {
            return result;
        }

        try
        {
            var proposal = await pending.Proposal.ConfigureAwait(false);
            if (proposal.Model is null || proposal.Title == turn.ProvisionalTitle)
            {
                return result;
            }

            if (conversation.Title != turn.ProvisionalTitle)
            {
                logger.LogInformation("Conversation {ConversationId} was renamed during its first turn; keeping that title over the one from {Model}",
                    conversation.Id, proposal.Model);
                return result;
            }

            // CancellationToken.None: like the answer, the title is already paid for; one small write.
            var titled = await store.UpdateConversationAsync(conversation with { Title = proposal.Title }, CancellationToken.None).ConfigureAwait(false);
            logger.LogInformation("Conversation {ConversationId} titled by model {Model}", conversation.Id, proposal.Model);
            return result with { Conversation = titled };
        }
        catch (ConcurrencyProblemException)
        {
            // A rename (or another write) got there first; the stored title stands.
            logger.LogInformation("Conversation {ConversationId} changed before its model title was stored; keeping the stored title", conversation.Id);
        }
        catch (Exception ex)
        {
            logger.LogWarning(ex, "Could not store the model title of conversation {ConversationId}; keeping the trimmed first message", conversation.Id);
        }

        return result;
    }

    /// <summary>A model title being written alongside the answer.</summary>
    private sealed class PendingTitle(Task<TitleProposal> proposal, CancellationTokenSource release)
    {
        public Task<TitleProposal> Proposal => proposal;

        /// <summary>Stops the title call if it is still running (turn failed or abandoned) and frees the token source once it has stopped.</summary>
        public void Release()
        {
            release.Cancel();
            _ = proposal.ContinueWith(_ => release.Dispose(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private static JsonElement ToJson<T>(T value) => JsonSerializer.SerializeToElement(value, DiagnosticsJson);

    internal static string NewId() => Guid.CreateVersion7().ToString("N");
}
