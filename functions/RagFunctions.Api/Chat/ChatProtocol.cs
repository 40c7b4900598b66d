using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Chat;

/// <summary>Request of Microsoft's AI Chat Protocol as the Azure RAG sample frontends send it.</summary>
/// <param name="Stream">Accepted for frontends that send it; the route (/api/chat vs /api/chat/stream) decides.</param>
public sealed record ChatProtocolRequest(
    IReadOnlyList<ChatProtocolMessage>? Messages = null,
    ChatProtocolRequestContext? Context = null,
    [property: JsonPropertyName("session_state")] JsonElement? SessionState = null,
    bool? Stream = null);

public sealed record ChatProtocolMessage(string? Role = null, string? Content = null);

/// <summary><c>overrides</c> is free-form (frontends send many knobs); <c>top</c> and <c>suggest_followup_questions</c> are honoured.</summary>
public sealed record ChatProtocolRequestContext(JsonElement? Overrides = null);

public sealed record ChatProtocolDataPoints(
    [property: JsonPropertyName("text")] IReadOnlyList<string> Text,
    [property: JsonPropertyName("citations")] IReadOnlyList<string> Citations);

public sealed record ChatProtocolThought(
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("description")] string Description);

public sealed record ChatProtocolResponseContext(
    [property: JsonPropertyName("data_points")] ChatProtocolDataPoints? DataPoints = null,
    [property: JsonPropertyName("thoughts")] IReadOnlyList<ChatProtocolThought>? Thoughts = null,
    [property: JsonPropertyName("followup_questions")] IReadOnlyList<string>? FollowupQuestions = null);

public sealed record ChatProtocolResponse(
    [property: JsonPropertyName("message")] ChatProtocolMessage Message,
    [property: JsonPropertyName("context")] ChatProtocolResponseContext Context,
    [property: JsonPropertyName("session_state")] JsonElement? SessionState);

/// <summary>One NDJSON line of /api/chat/stream.</summary>
public sealed record ChatProtocolStreamLine(
    [property: JsonPropertyName("delta")] ChatProtocolMessage? Delta = null,
    [property: JsonPropertyName("context")] ChatProtocolResponseContext? Context = null,
    [property: JsonPropertyName("session_state")] JsonElement? SessionState = null,
    [property: JsonPropertyName("error")] string? Error = null);

/// <summary>Parsed knobs of one Chat Protocol call.</summary>
internal sealed record ChatProtocolCall(JsonElement SessionState, bool SuggestFollowups);

/// <summary>Maps the AI Chat Protocol to the stateless turn pipeline.</summary>
internal static class ChatProtocol
{
    private const int MaxMessages = 100;

    public static async Task<(PreparedTurn Turn, ChatProtocolCall Call)> PrepareAsync(
        HttpRequest request, ChatApiServices services, CallerIdentity caller, CancellationToken cancellationToken)
    {
        var body = await ChatApiJson.ReadBodyAsync<ChatProtocolRequest>(request, ChatEndpoints.ProtocolBodyBytes, cancellationToken).ConfigureAwait(false);
        var messages = body.Messages ?? [];
        if (messages.Count == 0)
        {
            throw new ValidationProblemException("messages", "messages must contain at least one user message.");
        }

        if (messages.Count > MaxMessages)
        {
            throw new ValidationProblemException("messages", $"At most {MaxMessages} messages are accepted.");
        }

        var parsed = new List<(MessageRole Role, string Content)>();
        for (var i = 0; i < messages.Count; i++)
        {
            var role = messages[i].Role switch
            {
                "user" => MessageRole.User,
                "assistant" => MessageRole.Assistant,
                "system" => MessageRole.System,
                _ => throw new ValidationProblemException($"messages[{i}].role", "role must be 'user', 'assistant' or 'system'."),
            };
            var content = messages[i].Content ?? throw new ValidationProblemException($"messages[{i}].content", "content is required.");
            if (role != MessageRole.User && content.Length > services.Options.MaxMessageLength * 4)
            {
                throw new ValidationProblemException($"messages[{i}].content", "content is too long.");
            }

            parsed.Add((role, content));
        }

        var last = parsed.Count - 1;
        if (parsed[last].Role != MessageRole.User)
        {
            throw new ValidationProblemException("messages", "The last message must come from the user.");
        }

        for (var i = 0; i < parsed.Count; i++)
        {
            if (parsed[i].Role == MessageRole.User)
            {
                services.Pipeline.ValidateContent(parsed[i].Content, $"messages[{i}].content");
            }
        }

        var overrides = body.Context?.Overrides is { ValueKind: JsonValueKind.Object } o ? o : default;
        int? top = overrides.ValueKind == JsonValueKind.Object && overrides.TryGetProperty("top", out var t) && t.TryGetInt32(out var n) ? Math.Clamp(n, 1, 50) : null;
        var suggest = !(overrides.ValueKind == JsonValueKind.Object && overrides.TryGetProperty("suggest_followup_questions", out var s) && s.ValueKind == JsonValueKind.False);
        var session = body.SessionState is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined } state
            ? state
            : JsonSerializer.SerializeToElement(Guid.NewGuid().ToString("N"));

        var turn = await services.Pipeline.PrepareStatelessAsync(caller, parsed[..last], parsed[last].Content, top, cancellationToken).ConfigureAwait(false);
        return (turn, new ChatProtocolCall(session, suggest));
    }

    public static ChatProtocolResponse Response(PreparedTurn turn, TurnResult result, ChatProtocolCall call) => new(
        new ChatProtocolMessage("assistant", result.AssistantMessage.Content),
        new ChatProtocolResponseContext(DataPoints(turn), Thoughts(turn, result.Model), call.SuggestFollowups ? result.FollowupQuestions : []),
        call.SessionState);

    public static ChatProtocolDataPoints DataPoints(PreparedTurn turn) => new(
        [.. turn.Context.Sources.Select(s => $"[{s.Citation.Number}] {s.Citation.Title}: {s.Citation.Snippet}")],
        [.. turn.Context.Sources.Select(s => s.Citation.SourcePath)]);

    public static IReadOnlyList<ChatProtocolThought> Thoughts(PreparedTurn turn, string? model)
    {
        var thoughts = new List<ChatProtocolThought>
        {
            new("Search query", turn.UserMessage.Content),
            new("Sources", string.Create(CultureInfo.InvariantCulture, $"{turn.Context.Sources.Count} numbered sources ({turn.Context.Tokens} tokens); {turn.Context.DroppedForBudget} more did not fit the context budget.")),
        };
        if (model is not null)
        {
            thoughts.Add(new("Model", model));
        }

        return thoughts;
    }
}

/// <summary>/api/chat/stream: one JSON object per line — context (data points, thoughts) first, then <c>delta</c> pieces, then follow-ups;
/// a failure after the first line is an <c>error</c> line.</summary>
internal sealed class NdjsonChatProtocolResult(ChatApiServices services, PreparedTurn turn, ChatProtocolCall call) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "application/x-ndjson; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await foreach (var ev in services.Pipeline.StreamAsync(turn, aborted).ConfigureAwait(false))
            {
                ChatProtocolStreamLine? line = ev switch
                {
                    ContextEvent => new(new ChatProtocolMessage("assistant", ""), new ChatProtocolResponseContext(ChatProtocol.DataPoints(turn), ChatProtocol.Thoughts(turn, null)), call.SessionState),
                    DeltaEvent d => new(new ChatProtocolMessage("assistant", d.Text)),
                    FollowupsEvent f when call.SuggestFollowups => new(new ChatProtocolMessage("assistant", ""), new ChatProtocolResponseContext(FollowupQuestions: f.Questions)),
                    ErrorEvent e => new(Error: e.Problem.Message),
                    _ => null,
                };
                if (line is not null)
                {
                    await WriteLineAsync(response, line, aborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (aborted.IsCancellationRequested || ex is IOException)
        {
            // Client gone; nothing is persisted on this stateless route.
        }
        catch (Exception ex)
        {
            services.Logger.LogError(ex, "Chat protocol stream failed");
            await WriteLineAsync(response, new ChatProtocolStreamLine(Error: "The answer could not be completed."), CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task WriteLineAsync(HttpResponse response, ChatProtocolStreamLine line, CancellationToken cancellationToken)
    {
        await response.WriteAsync(JsonSerializer.Serialize(line, ChatApiJson.Output) + "\n", Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
