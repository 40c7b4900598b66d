using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using RagFunctions.Api.Identity;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Assessment;

/// <summary>Dependencies of the assessment handlers, bundled for <c>[AsParameters]</c>; the Functions app constructs it from its container.</summary>
public sealed record AssessmentApiServices(
    [property: FromServices] ICallerIdentityResolver Identity,
    [property: FromServices] AssessmentConversationService Assessments,
    [property: FromServices] IConversationStore Store,
    [property: FromServices] TimeProvider Clock,
    [property: FromServices] INotificationReader? Notifications);

/// <summary>Assessment endpoints under <c>/api/chat</c>. Every handler resolves the caller first (401 without one) and only ever
/// reads the caller's own partition, so another user's conversation is reported as not found.</summary>
public static class AssessmentApi
{
    private const int MaxMessagesReturned = 50;
    private const int MaxNotifications = 100;
    private const int MaxTitleLength = 200;

    private static readonly IReadOnlyDictionary<string, string[]> StarterQuestions = new Dictionary<string, string[]>(StringComparer.Ordinal)
    {
        [ContextTypes.General] =
        [
            "What can you help me with?",
            "Which documents do you know about?",
            "Summarise the key points of the most relevant document for me.",
        ],
        [ContextTypes.CareerGuidance] =
        [
            "How do I choose between two career paths?",
            "Which skills are most in demand in my field?",
            "How can I prepare for a career change?",
            "What should I include in a strong CV?",
        ],
    };

    public static IEndpointRouteBuilder MapAssessmentApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/chat").WithTags("Assessment");
        api.MapGet("/assessment/{assessmentId}/conversation", GetAssessmentConversation);
        api.MapPost("/assessment/{assessmentId}/initialize", InitializeAssessment);
        api.MapGet("/conversations/{id}/suggestions", GetSuggestions);
        api.MapPost("/conversations/from-assessment", CreateFromAssessment);
        api.MapGet("/assessment-ready", GetAssessmentReady);
        api.MapGet("/notifications", GetNotifications);
        return app;
    }

    /// <summary><c>GET /api/chat/assessment/{assessmentId}/conversation</c> → {exists, conversation?, messages?}.</summary>
    public static async Task<Results<Ok<AssessmentConversationResponse>, ProblemHttpResult>> GetAssessmentConversation(
        string assessmentId, HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        try
        {
            var conversation = await services.Assessments.GetAssessmentConversationAsync(caller.UserId, assessmentId, cancellationToken);
            if (conversation is null)
            {
                return TypedResults.Ok(new AssessmentConversationResponse(false, null, null));
            }

            var messages = await services.Store.ListMessagesAsync(caller.UserId, conversation.Id, MaxMessagesReturned, null, cancellationToken);
            return TypedResults.Ok(new AssessmentConversationResponse(true, conversation, messages.Items));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }
    }

    /// <summary><c>POST /api/chat/assessment/{assessmentId}/initialize</c> {results, completedAt?, eventId?, title?}: the manual fallback when the
    /// event was lost. Same idempotency as the event (201 when created, 200 when it already existed). Without results, an existing conversation is returned.</summary>
    public static async Task<Results<Created<AssessmentConversationCreatedResponse>, Ok<AssessmentConversationCreatedResponse>, ProblemHttpResult>> InitializeAssessment(
        string assessmentId, HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        return await CreateOrGetAsync(caller, assessmentId, request, services, cancellationToken);
    }

    /// <summary><c>POST /api/chat/conversations/from-assessment</c> {assessmentId, results, title?} → {created, conversation, initialMessage, suggestions}.</summary>
    public static async Task<Results<Created<AssessmentConversationCreatedResponse>, Ok<AssessmentConversationCreatedResponse>, ProblemHttpResult>> CreateFromAssessment(
        HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        return await CreateOrGetAsync(caller, routeAssessmentId: null, request, services, cancellationToken);
    }

    /// <summary><c>GET /api/chat/conversations/{id}/suggestions</c>: assessment conversations get profile-based questions, others starter questions.</summary>
    public static async Task<Results<Ok<ConversationSuggestionsResponse>, ProblemHttpResult>> GetSuggestions(
        string id, HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        try
        {
            var conversation = await services.Store.GetConversationAsync(caller.UserId, id, cancellationToken);
            if (conversation is null)
            {
                return ProblemResults.NotFound($"Conversation '{id}' was not found.");
            }

            IReadOnlyList<string> suggestions = AssessmentConversationService.ResultsOf(conversation) is { } results
                ? AssessmentProfile.From(results).SuggestedQuestions
                : StarterQuestions.GetValueOrDefault(conversation.ContextType) ?? StarterQuestions[ContextTypes.General];
            return TypedResults.Ok(new ConversationSuggestionsResponse(conversation.Id, conversation.ContextType, suggestions));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }
    }

    /// <summary><c>GET /api/chat/assessment-ready</c> → {hasAssessment, assessmentId, assessmentDate, conversationExists, conversationId} for the caller.
    /// The assessment is known through its conversation (the event is the only source), so both flags agree.</summary>
    public static async Task<Results<Ok<AssessmentReadyResponse>, ProblemHttpResult>> GetAssessmentReady(
        HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        try
        {
            var latest = await services.Assessments.FindLatestAssessmentConversationAsync(caller.UserId, cancellationToken);
            return TypedResults.Ok(latest is null
                ? new AssessmentReadyResponse(false, null, null, false, null)
                : new AssessmentReadyResponse(true, latest.AssessmentId, AssessmentConversationService.CompletedAt(latest), true, latest.Id));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }
    }

    /// <summary><c>GET /api/chat/notifications?since=</c> → the caller's notifications created after <c>since</c> (ISO 8601), oldest first.</summary>
    public static async Task<Results<Ok<NotificationsResponse>, ProblemHttpResult>> GetNotifications(
        HttpRequest request, [AsParameters] AssessmentApiServices services, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(services);
        if (services.Identity.Resolve(request) is not { } caller)
        {
            return Unauthorized();
        }

        DateTimeOffset? since = null;
        var sinceText = request.Query["since"].ToString();
        if (!string.IsNullOrEmpty(sinceText))
        {
            if (!DateTimeOffset.TryParse(sinceText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
            {
                return ProblemResults.Validation("since", "Must be an ISO 8601 timestamp, e.g. 2026-11-20T10:00:00Z.");
            }

            since = parsed;
        }

        if (services.Notifications is null)
        {
            return ProblemResults.From(new UpstreamUnavailableProblemException("Notifications are not configured on this host."), request.Path);
        }

        try
        {
            var items = await services.Notifications.ListAsync(caller.UserId, since, MaxNotifications, cancellationToken);
            return TypedResults.Ok(new NotificationsResponse(items, items.Count > 0 ? items[^1].CreatedAt : since));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }
    }

    private static async Task<Results<Created<AssessmentConversationCreatedResponse>, Ok<AssessmentConversationCreatedResponse>, ProblemHttpResult>> CreateOrGetAsync(
        CallerIdentity caller, string? routeAssessmentId, HttpRequest request, AssessmentApiServices services, CancellationToken cancellationToken)
    {
        try
        {
            var body = await AssessmentRequestBody.ReadJsonAsync(request, cancellationToken);
            var assessmentId = routeAssessmentId
                ?? (AssessmentEventParser.TryGetProperty(body, "assessmentId", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null);
            var title = ReadTitle(body);

            if (!AssessmentEventParser.TryGetProperty(body, "results", out var results) || results.ValueKind == JsonValueKind.Null)
            {
                // Without results we can only hand back what an earlier event or call created.
                if (!string.IsNullOrWhiteSpace(assessmentId)
                    && await services.Assessments.GetAssessmentConversationAsync(caller.UserId, assessmentId, cancellationToken) is { } existing)
                {
                    return TypedResults.Ok(await ExistingResponseAsync(existing, services, cancellationToken));
                }

                return ProblemResults.Validation("results", "Required: no conversation exists for this assessment yet, so its results must be supplied.");
            }

            var assessmentEvent = AssessmentEventParser.Parse(JsonSerializer.SerializeToElement(new JsonObject
            {
                ["eventType"] = AssessmentEvent.AnalysisComplete,
                ["eventId"] = ReadString(body, "eventId") ?? $"manual-{StableIds.ShortHash(16, caller.UserId, assessmentId ?? string.Empty)}",
                ["userId"] = caller.UserId,
                ["assessmentId"] = assessmentId,
                ["completedAt"] = ReadString(body, "completedAt") ?? services.Clock.GetUtcNow().ToString("O", CultureInfo.InvariantCulture),
                ["results"] = JsonNode.Parse(results.GetRawText()),
            }));
            var outcome = await services.Assessments.HandleAsync(assessmentEvent, title, cancellationToken);
            var response = new AssessmentConversationCreatedResponse(outcome.Created, outcome.Conversation, outcome.Welcome, outcome.Suggestions);
            return outcome.Created
                ? TypedResults.Created($"/api/chat/assessment/{Uri.EscapeDataString(assessmentEvent.AssessmentId)}/conversation", response)
                : TypedResults.Ok(response);
        }
        catch (AssessmentEventInvalidException invalid)
        {
            return ProblemResults.From(new ValidationProblemException(invalid.Errors, invalid.Description), request.Path);
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem, request.Path);
        }
    }

    private static async Task<AssessmentConversationCreatedResponse> ExistingResponseAsync(
        Conversation conversation, AssessmentApiServices services, CancellationToken cancellationToken)
    {
        var welcome = await services.Store.GetMessageAsync(
            conversation.UserId, conversation.Id, AssessmentIds.WelcomeMessageId(conversation.Id), cancellationToken);
        var suggestions = AssessmentConversationService.ResultsOf(conversation) is { } results
            ? AssessmentProfile.From(results).SuggestedQuestions
            : [];
        return new AssessmentConversationCreatedResponse(false, conversation, welcome, suggestions);
    }

    private static string? ReadTitle(JsonElement body)
    {
        if (!AssessmentEventParser.TryGetProperty(body, "title", out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            throw new ValidationProblemException("title", "Must be a string.");
        }

        var title = value.GetString()!.Trim();
        return title.Length > MaxTitleLength
            ? throw new ValidationProblemException("title", $"At most {MaxTitleLength} characters.")
            : title.Length == 0 ? null : title;
    }

    private static string? ReadString(JsonElement body, string name) =>
        AssessmentEventParser.TryGetProperty(body, name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static ProblemHttpResult Unauthorized() => ProblemResults.Unauthorized("A signed-in user is required.");
}
