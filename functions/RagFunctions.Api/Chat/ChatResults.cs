using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Chat;
using RagFunctions.Core.Common;

namespace RagFunctions.Api.Chat;

/// <summary>JSON with the chat serializer settings (not the host's), so both hosts answer byte-for-byte alike.</summary>
internal sealed class ChatJsonResult(object value, int statusCode, Dictionary<string, string>? headers) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = statusCode;
        foreach (var (name, header) in headers ?? [])
        {
            httpContext.Response.Headers[name] = header;
        }

        httpContext.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(httpContext.Response.Body, value, value.GetType(), ChatApiJson.Output, httpContext.RequestAborted).ConfigureAwait(false);
    }
}

internal sealed class ChatTextResult(string text, string contentType, Dictionary<string, string>? headers) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        foreach (var (name, header) in headers ?? [])
        {
            httpContext.Response.Headers[name] = header;
        }

        httpContext.Response.ContentType = contentType;
        await httpContext.Response.WriteAsync(text, Encoding.UTF8, httpContext.RequestAborted).ConfigureAwait(false);
    }
}

/// <summary>The problem body of an <c>error</c> event / NDJSON error line (same fields as problem+json).</summary>
internal sealed record StreamProblem(string Type, string Title, int Status, string Detail)
{
    public static StreamProblem From(Exception ex) => ex is ProblemException p
        ? new(ProblemResults.TypeUri(p.ProblemSlug), p.Title, p.StatusCode, p.Message)
        : new(ProblemResults.TypeUri("internal"), "An unexpected error occurred.", StatusCodes.Status500InternalServerError, "The answer could not be completed.");
}

/// <summary>A turn as Server-Sent Events: <c>context</c>, <c>delta</c>…, <c>followups</c>, <c>usage</c>, <c>done</c>; or <c>error</c>.
/// Errors after the stream started are events, not broken sockets. A client that disconnects cancels generation; the pipeline still saves
/// the answer so far, marked incomplete.</summary>
internal sealed class ServerSentEventsTurnResult(ChatApiServices services, PreparedTurn turn) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var aborted = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        httpContext.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        try
        {
            await foreach (var ev in services.Pipeline.StreamAsync(turn, aborted).ConfigureAwait(false))
            {
                var (name, payload) = ev switch
                {
                    ContextEvent c => ("context", (object)new { conversationId = turn.Conversation?.Id, userMessage = MessageDto.From(c.UserMessage), citations = c.Sources }),
                    DeltaEvent d => ("delta", new { text = d.Text }),
                    FollowupsEvent f => ("followups", new { questions = f.Questions }),
                    UsageEvent u => ("usage", new UsageDto(u.Usage.PromptTokens, u.Usage.CompletionTokens, u.Usage.TotalTokens, u.Model, u.LatencyMs)),
                    DoneEvent done => ("done", ChatEndpoints.TurnResponseOf(done.Result)),
                    ErrorEvent e => ("error", StreamProblem.From(e.Problem)),
                    _ => throw new InvalidOperationException($"Unknown chat event {ev.GetType().Name}."),
                };
                await WriteEventAsync(response, name, payload, aborted).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (aborted.IsCancellationRequested || ex is IOException)
        {
            // The client went away; the pipeline has saved what was generated (incomplete).
        }
        catch (Exception ex)
        {
            services.Logger.LogError(ex, "Chat stream for conversation {ConversationId} failed", turn.Conversation?.Id);
            await WriteEventAsync(response, "error", StreamProblem.From(ex), CancellationToken.None).ConfigureAwait(false);
        }
    }

    internal static async Task WriteEventAsync(HttpResponse response, string name, object payload, CancellationToken cancellationToken)
    {
        var data = JsonSerializer.Serialize(payload, payload.GetType(), ChatApiJson.Output);
        await response.WriteAsync($"event: {name}\ndata: {data}\n\n", Encoding.UTF8, cancellationToken).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
