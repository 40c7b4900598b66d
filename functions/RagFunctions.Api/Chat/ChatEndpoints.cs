using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;
using Microsoft.AspNetCore.Mvc;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Chat;

/// <summary>Chat and conversation-history HTTP API. <see cref="MapChatApi"/> maps the routes on the local host; every handler is public so the
/// Functions app calls the same method from its HTTP-triggered function (route values passed as arguments).
/// Every handler: identity first (401), then input (415/413/400, nothing written), then the work; failures are problem+json.</summary>
/// <remarks>Limits (<c>limit</c> query) outside 1..100 are a 400, not silently clamped: a client asking for 10,000 should learn the rule.</remarks>
public static class ChatEndpoints
{
    public const int MaxPageSize = 100;
    public const int MaxFeedbackCommentLength = 2000;
    internal const int SmallBodyBytes = 64 * 1024;
    internal const int ProtocolBodyBytes = 1024 * 1024;
    private const int MaxContextSummaryChars = 2000;
    private const int MaxExportMessages = 10_000;

    private const int Auth = StatusCodes.Status401Unauthorized;

    private const string TurnEvents =
        "Server-Sent Events, in order: `context` {conversationId, userMessage, citations[]} once; `delta` {text} per piece of the answer; " +
        "`followups` {questions[]}; `usage` {promptTokens, completionTokens, totalTokens, model, latencyMs}; `done` (the same body as the JSON answer). " +
        "A failure after the stream started is an `error` event {type, title, status, detail} (problem fields; for model failures `detail` names " +
        "each model's cause) and ends the stream.";

    private const string ProtocolLines =
        "Newline-delimited JSON (AI Chat Protocol): the first line carries `context` (data_points, thoughts), then one line per `delta` {role, content}, " +
        "then a line with `context.followup_questions`; a failure is a line with `error`.";

    public static IEndpointRouteBuilder MapChatApi(this IEndpointRouteBuilder app)
    {
        var chat = app.MapGroup("/api/chat").WithTags("Chat");
        chat.MapPost("/conversations", CreateConversationAsync).Body<CreateConversationRequest>()
            .Returns<ConversationDto>(StatusCodes.Status201Created).Problems(Auth, 400, 413, 415);
        chat.MapGet("/conversations", ListConversationsAsync).Returns<ConversationListResponse>().Problems(Auth, 400);
        chat.MapGet("/conversations/{id}", GetConversationAsync).Returns<ConversationResponse>().Problems(Auth, 400, 404);
        chat.MapPatch("/conversations/{id}", UpdateConversationAsync).Body<UpdateConversationRequest>()
            .Returns<ConversationDto>().Problems(Auth, 400, 404, 415);
        chat.MapDelete("/conversations/{id}", DeleteConversationAsync).Produces(StatusCodes.Status204NoContent).Problems(Auth, 404);
        chat.MapGet("/conversations/{id}/messages", ListMessagesAsync).Returns<MessagePageResponse>().Problems(Auth, 400, 404);
        chat.MapPost("/conversations/{id}/messages", SendMessageAsync).Body<SendMessageRequest>()
            .Returns<TurnResponse>().Streams("text/event-stream", TurnEvents).Problems(Auth, 400, 404, 413, 415, 429, 503);
        chat.MapPost("/conversations/{id}/messages/{messageId}/regenerate", RegenerateAsync)
            .Returns<TurnResponse>().Streams("text/event-stream", TurnEvents).Problems(Auth, 400, 404, 429, 503);
        chat.MapPost("/conversations/{id}/messages/{messageId}/feedback", SubmitFeedbackAsync).Body<FeedbackRequest>()
            .Returns<MessageDto>().Problems(Auth, 400, 404, 415);
        chat.MapGet("/conversations/{id}/export", ExportConversationAsync).Returns<ConversationExportJson>()
            .Produces<string>(StatusCodes.Status200OK, "text/markdown").Problems(Auth, 400, 404);
        chat.MapGet("/conversations/{id}/usage", GetConversationUsageAsync).Returns<UsageSummaryResponse>().Problems(Auth, 404);
        chat.MapGet("/usage/summary", GetUsageSummaryAsync).Returns<UsageSummaryResponse>().Problems(Auth, 400);
        chat.MapGet("/escalations", ListEscalationsAsync).Returns<EscalationsResponse>().Problems(Auth, 400, 403);
        chat.MapPost("", ChatProtocolAsync).Body<ChatProtocolRequest>().Returns<ChatProtocolResponse>().Problems(Auth, 400, 413, 415, 429, 503);
        chat.MapPost("/stream", ChatProtocolStreamAsync).Body<ChatProtocolRequest>()
            .Produces<ChatProtocolStreamLine>(StatusCodes.Status200OK, "application/x-ndjson")
            .Streams("application/x-ndjson", ProtocolLines).Problems(Auth, 400, 413, 415, 429, 503);
        return app;
    }

    /// <summary>POST /api/chat/conversations → 201 + Location.</summary>
    public static Task<IResult> CreateConversationAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var body = await ChatApiJson.ReadBodyAsync<CreateConversationRequest>(request, SmallBodyBytes, cancellationToken).ConfigureAwait(false);
            var errors = new Dictionary<string, string[]>();
            var title = ValidateTitle(body.Title, services.Options.MaxTitleLength, errors);
            var contextType = body.ContextType ?? ContextTypes.General;
            if (!ContextTypes.All.Contains(contextType))
            {
                errors["contextType"] = [$"contextType must be one of: {string.Join(", ", ContextTypes.All)}."];
            }

            JsonElement? contextData = body.ContextData is { ValueKind: not JsonValueKind.Null } d ? d : null;
            if (contextData is { ValueKind: not JsonValueKind.Object })
            {
                errors["contextData"] = ["contextData must be a JSON object."];
            }

            ThrowIfAny(errors);
            await services.Limits.AdmitConversationAsync(caller.UserId, cancellationToken).ConfigureAwait(false);
            var now = services.Time.GetUtcNow();
            var conversation = new Conversation(
                NewId(), caller.UserId, title ?? ConversationTitles.Default, ConversationStatus.Active, contextType,
                contextData, SummaryOf(contextData), null, now, now, 0);
            var (stored, _) = await services.Store.CreateIfNotExistsAsync(conversation, cancellationToken).ConfigureAwait(false);
            services.Logger.LogInformation("Created conversation {ConversationId} ({ContextType})", stored.Id, stored.ContextType);
            var headers = new Dictionary<string, string> { ["Location"] = $"/api/chat/conversations/{stored.Id}" };
            if (stored.ETag is not null)
            {
                headers["ETag"] = ETags.ToHeader(stored.ETag);
            }

            return new ChatJsonResult(ConversationDto.From(stored), StatusCodes.Status201Created, headers);
        });

    /// <summary>GET /api/chat/conversations?status=active|archived|all&amp;limit=20&amp;continuationToken= — newest-updated first; no status = active and archived.</summary>
    public static Task<IResult> ListConversationsAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var status = ParseStatusFilter(request.Query["status"]);
            var limit = ParseLimit(request.Query["limit"], 20);
            var query = "conversations:" + (status?.ToString() ?? "any");
            var storeToken = ContinuationTokens.Unwrap(request.Query["continuationToken"], query);
            var page = await services.Store.ListConversationsAsync(caller.UserId, status, limit, storeToken, cancellationToken).ConfigureAwait(false);
            return Ok(new ConversationListResponse([.. page.Items.Select(ConversationDto.From)], ContinuationTokens.Wrap(page.ContinuationToken, query)));
        });

    /// <summary>GET /api/chat/conversations/{id}?limit=50 — the conversation and its latest messages (the newest regeneration of each answer).</summary>
    public static Task<IResult> GetConversationAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var limit = ParseLimit(request.Query["limit"], 50);
            var conversation = await services.Loader.LoadAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
            var page = await services.Store.ListMessagesAsync(caller.UserId, id, limit, null, cancellationToken).ConfigureAwait(false);
            return WithETag(new ConversationResponse(
                ConversationDto.From(conversation), [.. HistoryWindow.VisibleThread(page.Items).Select(MessageDto.From)], page.ContinuationToken),
                StatusCodes.Status200OK, conversation.ETag);
        });

    /// <summary>GET /api/chat/conversations/{id}/messages?limit=50&amp;before={messageId} — pages backwards; every message, regenerations included.</summary>
    public static Task<IResult> ListMessagesAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var limit = ParseLimit(request.Query["limit"], 50);
            string? before = request.Query["before"];
            await services.Loader.LoadAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(before)
                && await services.Store.GetMessageAsync(caller.UserId, id, before, cancellationToken).ConfigureAwait(false) is null)
            {
                throw new ValidationProblemException("before", $"Message '{before}' does not exist in this conversation.");
            }

            var page = await services.Store.ListMessagesAsync(caller.UserId, id, limit, string.IsNullOrEmpty(before) ? null : before, cancellationToken).ConfigureAwait(false);
            return Ok(new MessagePageResponse([.. page.Items.Select(MessageDto.From)], page.ContinuationToken));
        });

    /// <summary>PATCH /api/chat/conversations/{id} {title?, status? (active|archived)}.</summary>
    public static Task<IResult> UpdateConversationAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var body = await ChatApiJson.ReadBodyAsync<UpdateConversationRequest>(request, SmallBodyBytes, cancellationToken).ConfigureAwait(false);
            var errors = new Dictionary<string, string[]>();
            if (body.Title is null && body.Status is null)
            {
                errors["body"] = ["Provide title and/or status."];
            }

            var title = ValidateTitle(body.Title, services.Options.MaxTitleLength, errors);
            ConversationStatus? status = body.Status switch
            {
                null => null,
                "active" => ConversationStatus.Active,
                "archived" => ConversationStatus.Archived,
                _ => null,
            };
            if (body.Status is not null && status is null)
            {
                errors["status"] = ["status must be 'active' or 'archived' (use DELETE to delete)."];
            }

            ThrowIfAny(errors);
            var updated = await ChangeAsync(request, services, caller.UserId, id,
                c => c with { Title = title ?? c.Title, Status = status ?? c.Status }, cancellationToken).ConfigureAwait(false);
            return WithETag(ConversationDto.From(updated), StatusCodes.Status200OK, updated.ETag);
        });

    /// <summary>DELETE /api/chat/conversations/{id} → 204; soft delete (hidden from lists, purged by the store's retention).</summary>
    public static Task<IResult> DeleteConversationAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            await ChangeAsync(request, services, caller.UserId, id, c => c with { Status = ConversationStatus.Deleted }, cancellationToken).ConfigureAwait(false);
            services.Logger.LogInformation("Deleted conversation {ConversationId}", id);
            return Results.NoContent();
        });

    /// <summary>POST /api/chat/conversations/{id}/messages {content, parentMessageId?} → the turn as JSON, or as SSE with <c>Accept: text/event-stream</c>.</summary>
    public static Task<IResult> SendMessageAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var body = await ChatApiJson.ReadBodyAsync<SendMessageRequest>(request, SmallBodyBytes, cancellationToken).ConfigureAwait(false);
            var turn = await services.Pipeline.PrepareTurnAsync(caller, id, new TurnRequest(body.Content ?? "", body.ParentMessageId), cancellationToken)
                .ConfigureAwait(false);
            return await AnswerAsync(request, services, turn, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>POST …/messages/{messageId}/regenerate → a new answer (sibling of the old one) as JSON or SSE.</summary>
    public static Task<IResult> RegenerateAsync(HttpRequest request, string id, string messageId, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var turn = await services.Pipeline.PrepareRegenerationAsync(caller, id, messageId, cancellationToken).ConfigureAwait(false);
            return await AnswerAsync(request, services, turn, cancellationToken).ConfigureAwait(false);
        });

    /// <summary>POST …/messages/{messageId}/feedback {rating: up|down, comment?} → the updated message.</summary>
    public static Task<IResult> SubmitFeedbackAsync(HttpRequest request, string id, string messageId, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var body = await ChatApiJson.ReadBodyAsync<FeedbackRequest>(request, SmallBodyBytes, cancellationToken).ConfigureAwait(false);
            var errors = new Dictionary<string, string[]>();
            if (body.Rating is not ("up" or "down"))
            {
                errors["rating"] = ["rating must be 'up' or 'down'."];
            }

            if (body.Comment is { Length: > MaxFeedbackCommentLength })
            {
                errors["comment"] = [$"comment is longer than {MaxFeedbackCommentLength} characters."];
            }

            ThrowIfAny(errors);
            await services.Loader.LoadAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
            var message = await services.Store.GetMessageAsync(caller.UserId, id, messageId, cancellationToken).ConfigureAwait(false)
                ?? throw new NotFoundProblemException($"Message '{messageId}' was not found in conversation '{id}'.");
            if (message.Role != MessageRole.Assistant)
            {
                throw new ValidationProblemException("messageId", "Feedback applies to assistant messages only.");
            }

            var comment = string.IsNullOrWhiteSpace(body.Comment) ? null : body.Comment.Trim();
            var updated = await services.Store.UpdateMessageAsync(
                message with { Feedback = new MessageFeedback(body.Rating!, comment, services.Time.GetUtcNow()) }, cancellationToken).ConfigureAwait(false);
            return Ok(MessageDto.From(updated));
        });

    /// <summary>GET /api/chat/conversations/{id}/export?format=markdown|json (default markdown) — the whole visible thread with citations, as a download.</summary>
    public static Task<IResult> ExportConversationAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            string format = request.Query["format"].ToString() is { Length: > 0 } f ? f : "markdown";
            if (format is not ("markdown" or "json"))
            {
                throw new ValidationProblemException("format", "format must be 'markdown' or 'json'.");
            }

            var conversation = await services.Loader.LoadAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
            var messages = HistoryWindow.VisibleThread(await ReadAllMessagesAsync(services.Store, caller.UserId, id, cancellationToken).ConfigureAwait(false));
            var headers = new Dictionary<string, string>
            {
                ["Content-Disposition"] = $"attachment; filename=\"conversation-{id}.{(format == "json" ? "json" : "md")}\"",
            };
            return format == "json"
                ? new ChatJsonResult(new ConversationExportJson(ConversationDto.From(conversation), [.. messages.Select(MessageDto.From)]), StatusCodes.Status200OK, headers)
                : new ChatTextResult(ConversationExport.ToMarkdown(conversation, messages), "text/markdown; charset=utf-8", headers);
        });

    /// <summary>GET /api/chat/usage/summary?period=day|month (default day, UTC calendar) — the caller's token usage with a per-model breakdown,
    /// and <c>limits</c>: the remaining allowance of each configured per-user limit.</summary>
    public static Task<IResult> GetUsageSummaryAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var period = request.Query["period"].ToString() is { Length: > 0 } p ? p : "day";
            var now = services.Time.GetUtcNow().UtcDateTime;
            DateTimeOffset since = period switch
            {
                "day" => new DateTimeOffset(now.Date, TimeSpan.Zero),
                "month" => new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero),
                _ => throw new ValidationProblemException("period", "period must be 'day' or 'month'."),
            };
            var records = await services.Store.ListUsageAsync(caller.UserId, since, null, cancellationToken).ConfigureAwait(false);
            var allowances = await services.Limits.GetAllowancesAsync(caller.UserId, cancellationToken).ConfigureAwait(false);
            return Ok(Summarize(period, since, null, null, records) with
            {
                Limits = [.. allowances.Select(a => new UsageLimitDto(
                    a.Policy.Name, a.Policy.Quota, a.Used, a.Remaining, (int)a.Policy.Window.TotalSeconds, (int)Math.Ceiling(a.ResetAfter.TotalSeconds), a.Policy.Setting))],
            });
        });

    /// <summary>GET /api/chat/conversations/{id}/usage — the conversation's token usage, model breakdown and message count.</summary>
    public static Task<IResult> GetConversationUsageAsync(HttpRequest request, string id, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var conversation = await services.Loader.LoadAsync(caller.UserId, id, cancellationToken).ConfigureAwait(false);
            var records = await services.Store.ListUsageAsync(caller.UserId, DateTimeOffset.MinValue, id, cancellationToken).ConfigureAwait(false);
            return Ok(Summarize(null, null, id, conversation.MessageCount, records));
        });

    /// <summary>POST /api/chat — stateless one-shot chat in the AI Chat Protocol shape (nothing is saved).</summary>
    public static Task<IResult> ChatProtocolAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var (turn, call) = await ChatProtocol.PrepareAsync(request, services, caller, cancellationToken).ConfigureAwait(false);
            var result = await services.Pipeline.CompleteAsync(turn, cancellationToken).ConfigureAwait(false);
            return Ok(ChatProtocol.Response(turn, result, call));
        });

    /// <summary>POST /api/chat/stream — the same as NDJSON lines (application/x-ndjson): context first, then deltas, then follow-ups.</summary>
    public static Task<IResult> ChatProtocolStreamAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var (turn, call) = await ChatProtocol.PrepareAsync(request, services, caller, cancellationToken).ConfigureAwait(false);
            return new NdjsonChatProtocolResult(services, turn, call);
        });

    private static async Task<IResult> AnswerAsync(HttpRequest request, ChatApiServices services, PreparedTurn turn, CancellationToken cancellationToken)
    {
        if (WantsEventStream(request))
        {
            return new ServerSentEventsTurnResult(services, turn);
        }

        var result = await services.Pipeline.CompleteAsync(turn, cancellationToken).ConfigureAwait(false);
        return Ok(TurnResponseOf(result));
    }

    internal static TurnResponse TurnResponseOf(TurnResult r) => new(
        MessageDto.From(r.UserMessage),
        MessageDto.From(r.AssistantMessage),
        r.Citations,
        r.FollowupQuestions,
        new UsageDto(r.Usage.PromptTokens, r.Usage.CompletionTokens, r.Usage.TotalTokens, r.Model, r.LatencyMs));

    internal static bool WantsEventStream(HttpRequest request) =>
        request.Headers.Accept.Any(a => a is not null && a.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase));

    /// <summary>GET /api/chat/escalations?since=&amp;limit= → user messages (of every user) whose triage escalates, newest first.
    /// Support staff only: the caller needs the role <c>RagFunctions:Chat:Triage:SupportRole</c> (403 otherwise). <c>since</c> defaults to 7 days ago.</summary>
    public static Task<IResult> ListEscalationsAsync(HttpRequest request, [FromServices] ChatApiServices services, CancellationToken cancellationToken) =>
        HandleAsync(request, services, async caller =>
        {
            var role = services.Triage.SupportRole;
            if (!caller.HasRole(role))
            {
                throw new ForbiddenProblemException(
                    $"Listing escalations needs the role '{role}' in the caller's roles claim (RagFunctions:Chat:Triage:SupportRole).");
            }

            var limit = ParseLimit(request.Query["limit"], 50);
            var since = services.Time.GetUtcNow().AddDays(-7);
            if (request.Query["since"].ToString() is { Length: > 0 } s)
            {
                if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out since))
                {
                    throw new ValidationProblemException("since", "since must be an ISO 8601 date and time, e.g. 2026-11-20T00:00:00Z.");
                }
            }

            var escalations = await services.Store.ListEscalationsAsync(since, limit, cancellationToken).ConfigureAwait(false);
            return Ok(new EscalationsResponse(since, escalations));
        });

    /// <summary>Identity, then the handler; every failure becomes problem+json the same way on both hosts.</summary>
    private static async Task<IResult> HandleAsync(HttpRequest request, ChatApiServices services, Func<CallerIdentity, Task<IResult>> handler)
    {
        var caller = services.Identity.Resolve(request);
        if (caller is null)
        {
            return ProblemResults.Unauthorized("A valid identity is required: a bearer token, or App Service Authentication.");
        }

        try
        {
            return await handler(caller).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (ex is not (ProblemException or JsonException or OperationCanceledException or BadHttpRequestException))
            {
                services.Logger.LogError(ex, "Chat request {Method} {Path} failed", request.Method, request.Path);
            }

            return ProblemResults.Respond(ex, request.Path);
        }
    }

    /// <summary>PATCH/DELETE: with <c>If-Match</c> the change applies only to that version (412 otherwise, RFC 9110 §13.1.1); without it the store
    /// applies it to the current version, however many turns are appending meanwhile. <c>If-Match: *</c> only requires that the conversation exists.</summary>
    private static Task<Conversation> ChangeAsync(
        HttpRequest request, ChatApiServices services, string userId, string id, Func<Conversation, Conversation> change, CancellationToken cancellationToken)
    {
        var ifMatch = request.Headers.IfMatch.ToString() is { Length: > 0 } m && m.Trim() != "*" ? m : null;
        if (ifMatch is not null && ifMatch.Contains(',', StringComparison.Ordinal))
        {
            throw new ValidationProblemException("If-Match", "Send one entity tag in If-Match (the ETag of the conversation you read).");
        }

        return services.Store.ChangeConversationAsync(userId, id, change, ifMatch, cancellationToken);
    }

    private static async Task<IReadOnlyList<ConversationMessage>> ReadAllMessagesAsync(IConversationStore store, string userId, string id, CancellationToken cancellationToken)
    {
        var pages = new List<IReadOnlyList<ConversationMessage>>();
        string? before = null;
        var total = 0;
        do
        {
            var page = await store.ListMessagesAsync(userId, id, MaxPageSize, before, cancellationToken).ConfigureAwait(false);
            pages.Add(page.Items);
            total += page.Items.Count;
            before = page.ContinuationToken;
        }
        while (before is not null && total < MaxExportMessages);

        pages.Reverse();
        return [.. pages.SelectMany(p => p)];
    }

    private static UsageSummaryResponse Summarize(string? period, DateTimeOffset? since, string? conversationId, int? messageCount, IReadOnlyList<UsageRecord> records)
    {
        var models = records
            .GroupBy(r => r.Model ?? "unknown", StringComparer.Ordinal)
            .Select(g => new ModelUsageDto(g.Key, g.Sum(r => r.PromptTokens), g.Sum(r => r.CompletionTokens), g.Sum(r => r.PromptTokens + r.CompletionTokens), g.Count()))
            .OrderByDescending(m => m.TotalTokens)
            .ToList();
        var prompt = records.Sum(r => r.PromptTokens);
        var completion = records.Sum(r => r.CompletionTokens);
        return new UsageSummaryResponse(period, since, conversationId, prompt, completion, prompt + completion, records.Count, messageCount, models);
    }

    private static string? ValidateTitle(string? title, int maxLength, Dictionary<string, string[]> errors)
    {
        if (title is null)
        {
            return null;
        }

        var trimmed = title.Trim();
        if (trimmed.Length == 0)
        {
            errors["title"] = ["title must not be empty or whitespace."];
        }
        else if (trimmed.Length > maxLength)
        {
            errors["title"] = [$"title is {trimmed.Length} characters long; the limit is {maxLength}."];
        }

        return trimmed;
    }

    private static string? SummaryOf(JsonElement? contextData)
    {
        if (contextData is not { ValueKind: JsonValueKind.Object } data || !data.EnumerateObject().Any())
        {
            return null;
        }

        var text = data.TryGetProperty("summary", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString()! : data.GetRawText();
        return text.Length <= MaxContextSummaryChars ? text : text[..MaxContextSummaryChars];
    }

    private static ConversationStatus? ParseStatusFilter(StringValues value) => value.ToString() switch
    {
        "" or "all" => null,
        "active" => ConversationStatus.Active,
        "archived" => ConversationStatus.Archived,
        _ => throw new ValidationProblemException("status", "status must be 'active', 'archived' or 'all'."),
    };

    private static int ParseLimit(StringValues value, int defaultValue)
    {
        if (StringValues.IsNullOrEmpty(value))
        {
            return defaultValue;
        }

        if (value.Count != 1 || !int.TryParse(value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var limit) || limit is < 1 or > MaxPageSize)
        {
            throw new ValidationProblemException("limit", $"limit must be an integer from 1 to {MaxPageSize}.");
        }

        return limit;
    }

    private static void ThrowIfAny(Dictionary<string, string[]> errors)
    {
        if (errors.Count > 0)
        {
            throw new ValidationProblemException(errors, string.Join(" ", errors.Values.SelectMany(e => e)));
        }
    }

    private static IResult Ok<T>(T value) where T : notnull => new ChatJsonResult(value, StatusCodes.Status200OK, null);

    /// <summary>The conversation's version as an <c>ETag</c> header, for a later <c>If-Match</c>.</summary>
    private static IResult WithETag<T>(T value, int status, string? etag) where T : notnull =>
        new ChatJsonResult(value, status, etag is null ? null : new() { ["ETag"] = ETags.ToHeader(etag) });

    private static string NewId() => Guid.CreateVersion7().ToString("N");
}
