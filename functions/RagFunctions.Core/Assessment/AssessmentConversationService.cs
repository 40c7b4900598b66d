using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Assessment;

/// <summary>Deterministic ids that make event handling idempotent: the same (user, assessment) always maps to the same records.</summary>
public static class AssessmentIds
{
    public static string ConversationId(string userId, string assessmentId) => StableIds.ShortHash(32, "assessment-conversation", userId, assessmentId);

    public static string WelcomeMessageId(string conversationId) => StableIds.ShortHash(32, "assessment-welcome", conversationId);

    public static string NotificationId(string userId, string assessmentId) => StableIds.ShortHash(32, ChatbotReadyNotification.NotificationType, userId, assessmentId);
}

public enum AssessmentOutcomeKind
{
    /// <summary>This delivery created the conversation.</summary>
    Created,

    /// <summary>An earlier delivery (or a concurrent one) created it; missing steps were completed.</summary>
    AlreadyExisted,
}

/// <summary>What handling an assessment did.</summary>
/// <param name="Welcome">The welcome message (null only when the user deleted the conversation or had already written in it).</param>
/// <param name="WelcomeAdded">Whether this call appended the welcome.</param>
/// <param name="ArchivedConversationIds">Older assessment conversations this call archived.</param>
/// <param name="Notification">The <c>chatbot_ready</c> notification published (null when the conversation was deleted by the user).</param>
public sealed record AssessmentOutcome(
    AssessmentOutcomeKind Kind,
    Conversation Conversation,
    ConversationMessage? Welcome,
    bool WelcomeAdded,
    IReadOnlyList<string> Suggestions,
    IReadOnlyList<string> ArchivedConversationIds,
    ChatbotReadyNotification? Notification)
{
    public bool Created => Kind == AssessmentOutcomeKind.Created;
}

/// <summary>Turns a validated assessment into exactly one advisor conversation per (user, assessment), whatever the number of deliveries.
/// Every step is idempotent and re-run on each delivery, so a retry after a partial failure finishes the job:
/// create-if-not-exists → welcome (deterministic id, checked before append) → archive older assessments → notification (deterministic id).
/// Store and sink failures propagate (the host retries); model failures fall back to the template welcome.</summary>
public sealed class AssessmentConversationService(
    IConversationStore store,
    INotificationSink notifications,
    AssessmentWelcomeWriter welcomeWriter,
    IOptions<AssessmentOptions> options,
    TimeProvider clock,
    ILogger<AssessmentConversationService> logger)
{
    /// <summary><see cref="MessageMetadata.Type"/> of the welcome message.</summary>
    public const string WelcomeMessageType = "assessment_welcome";

    private const int ListPageSize = 100;
    private const int MaxListPages = 50;
    private const int MaxArchiveAttempts = 3;

    // Serialises deliveries of the same conversation inside one process (the local inboxes, a Functions instance);
    // deliveries on different instances are made safe by create-if-not-exists and the deterministic welcome id.
    private readonly SemaphoreSlim[] _stripes = [.. Enumerable.Range(0, 32).Select(_ => new SemaphoreSlim(1, 1))];

    public Task<AssessmentOutcome> HandleAsync(AssessmentEvent assessmentEvent, CancellationToken cancellationToken) =>
        HandleAsync(assessmentEvent, title: null, cancellationToken);

    /// <summary>Handles the assessment; <paramref name="title"/> overrides the generated title when this call creates the conversation.</summary>
    public async Task<AssessmentOutcome> HandleAsync(AssessmentEvent assessmentEvent, string? title, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(assessmentEvent);
        var userId = assessmentEvent.UserId;
        var conversationId = AssessmentIds.ConversationId(userId, assessmentEvent.AssessmentId);
        var profile = AssessmentProfile.From(assessmentEvent.Results);
        using var scope = logger.BeginScope(new Dictionary<string, object>
        {
            ["AssessmentId"] = assessmentEvent.AssessmentId,
            ["EventId"] = assessmentEvent.EventId,
            ["ConversationId"] = conversationId,
        });

        var stripe = _stripes[(int)((uint)StringComparer.Ordinal.GetHashCode(conversationId) % (uint)_stripes.Length)];
        await stripe.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var now = clock.GetUtcNow();
            var candidate = new Conversation(
                conversationId,
                userId,
                string.IsNullOrWhiteSpace(title) ? profile.Title : title.Trim(),
                ConversationStatus.Active,
                ContextTypes.Assessment,
                BuildContextData(assessmentEvent, profile),
                profile.Summary,
                assessmentEvent.AssessmentId,
                now,
                now,
                0);
            var (conversation, created) = await store.CreateIfNotExistsAsync(candidate, cancellationToken).ConfigureAwait(false);
            var kind = created ? AssessmentOutcomeKind.Created : AssessmentOutcomeKind.AlreadyExisted;
            if (conversation.Status == ConversationStatus.Deleted)
            {
                // The user deleted it; a redelivered event must not resurrect it or notify about it.
                logger.LogInformation("Assessment conversation was deleted by the user; nothing to do");
                return new AssessmentOutcome(kind, conversation, null, false, profile.SuggestedQuestions, [], null);
            }

            var (welcome, welcomeAdded, updated) = await EnsureWelcomeAsync(conversation, profile, cancellationToken).ConfigureAwait(false);
            conversation = updated;

            IReadOnlyList<string> archived = [];
            if (options.Value.ArchivePrevious)
            {
                (archived, conversation) = await ArchiveOlderAsync(conversation, assessmentEvent.CompletedAt, cancellationToken).ConfigureAwait(false);
            }

            var notification = new ChatbotReadyNotification(
                AssessmentIds.NotificationId(userId, assessmentEvent.AssessmentId), userId, conversationId, assessmentEvent.AssessmentId, clock.GetUtcNow());
            await notifications.PublishAsync(notification, cancellationToken).ConfigureAwait(false);

            logger.LogInformation(
                "Assessment handled: {Kind}, welcome added {WelcomeAdded} ({Model}), archived {ArchivedCount}",
                kind, welcomeAdded, welcome?.Metadata?.Model, archived.Count);
            return new AssessmentOutcome(kind, conversation, welcome, welcomeAdded, profile.SuggestedQuestions, archived, notification);
        }
        finally
        {
            stripe.Release();
        }
    }

    /// <summary>The caller's conversation for an assessment, or null.</summary>
    public Task<Conversation?> GetAssessmentConversationAsync(string userId, string assessmentId, CancellationToken cancellationToken) =>
        store.GetConversationAsync(userId, AssessmentIds.ConversationId(userId, assessmentId), cancellationToken);

    /// <summary>The user's most recent assessment conversation (by assessment completion time), active or archived, or null.</summary>
    public async Task<Conversation?> FindLatestAssessmentConversationAsync(string userId, CancellationToken cancellationToken)
    {
        var all = await ListAssessmentConversationsAsync(userId, status: null, cancellationToken).ConfigureAwait(false);
        return all.OrderByDescending(OrderKey).FirstOrDefault();
    }

    /// <summary>When the assessment behind an assessment conversation was completed (from its context data; creation time as a fallback).</summary>
    public static DateTimeOffset CompletedAt(Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (conversation.ContextData is { ValueKind: JsonValueKind.Object } data
            && data.TryGetProperty("completedAt", out var value)
            && value.ValueKind == JsonValueKind.String
            && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var completedAt))
        {
            return completedAt;
        }

        return conversation.CreatedAt;
    }

    /// <summary>The validated results stored with an assessment conversation, or null when it carries none (or they no longer validate).</summary>
    public static AssessmentResults? ResultsOf(Conversation conversation)
    {
        ArgumentNullException.ThrowIfNull(conversation);
        if (conversation.ContextData is not { ValueKind: JsonValueKind.Object } data || !data.TryGetProperty("results", out var results))
        {
            return null;
        }

        try
        {
            return AssessmentEventParser.ParseResults(results);
        }
        catch (AssessmentEventInvalidException)
        {
            return null;
        }
    }

    private async Task<(ConversationMessage? Welcome, bool Added, Conversation Conversation)> EnsureWelcomeAsync(
        Conversation conversation, AssessmentProfile profile, CancellationToken cancellationToken)
    {
        var welcomeId = AssessmentIds.WelcomeMessageId(conversation.Id);
        var existing = await store.GetMessageAsync(conversation.UserId, conversation.Id, welcomeId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            return (existing, false, conversation);
        }

        if (conversation.MessageCount > 0)
        {
            // The user is already talking; a welcome appended now would land after their messages.
            logger.LogInformation("Assessment conversation already has messages; no welcome appended");
            return (null, false, conversation);
        }

        var draft = await welcomeWriter.WriteAsync(profile, cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        var welcome = new ConversationMessage(
            welcomeId,
            conversation.Id,
            conversation.UserId,
            MessageRole.Assistant,
            draft.Content,
            now,
            FollowupQuestions: draft.Questions,
            Metadata: new MessageMetadata(WelcomeMessageType, draft.Model, draft.Usage, draft.LatencyMs));
        try
        {
            var updated = await store.AppendMessagesAsync(conversation.UserId, conversation.Id, [welcome], now, cancellationToken).ConfigureAwait(false);
            return (welcome, true, updated);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A concurrent delivery on another instance may have appended the same (deterministic) message first: that is success.
            var raced = await store.GetMessageAsync(conversation.UserId, conversation.Id, welcomeId, cancellationToken).ConfigureAwait(false);
            if (raced is null)
            {
                throw;
            }

            logger.LogInformation("Welcome was appended by a concurrent delivery");
            var current = await store.GetConversationAsync(conversation.UserId, conversation.Id, cancellationToken).ConfigureAwait(false);
            return (raced, false, current ?? conversation);
        }
    }

    /// <summary>Keeps only the newest assessment conversation active. Ordering is by assessment completion time, not arrival,
    /// so a late redelivery of an older assessment archives itself rather than the newer one.</summary>
    private async Task<(IReadOnlyList<string> Archived, Conversation Current)> ArchiveOlderAsync(
        Conversation current, DateTimeOffset completedAt, CancellationToken cancellationToken)
    {
        var active = await ListAssessmentConversationsAsync(current.UserId, ConversationStatus.Active, cancellationToken).ConfigureAwait(false);
        var others = active.Where(c => !string.Equals(c.Id, current.Id, StringComparison.Ordinal)).ToList();
        if (others.Count == 0)
        {
            return ([], current);
        }

        var archived = new List<string>();
        var currentKey = (completedAt, current.AssessmentId ?? string.Empty);
        var newerExists = others.Any(o => Compare(OrderKey(o), currentKey) > 0);
        foreach (var older in others.Where(o => Compare(OrderKey(o), currentKey) < 0))
        {
            if (await ArchiveAsync(older, cancellationToken).ConfigureAwait(false) is not null)
            {
                archived.Add(older.Id);
            }
        }

        if (newerExists && current.Status == ConversationStatus.Active)
        {
            logger.LogInformation("A newer assessment conversation exists; archiving this one");
            if (await ArchiveAsync(current, cancellationToken).ConfigureAwait(false) is { } archivedCurrent)
            {
                archived.Add(current.Id);
                current = archivedCurrent;
            }
        }

        return (archived, current);
    }

    private async Task<Conversation?> ArchiveAsync(Conversation conversation, CancellationToken cancellationToken)
    {
        var target = conversation;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await store.UpdateConversationAsync(
                    target with { Status = ConversationStatus.Archived, UpdatedAt = clock.GetUtcNow() }, cancellationToken).ConfigureAwait(false);
            }
            catch (ConcurrencyProblemException) when (attempt < MaxArchiveAttempts)
            {
                // Someone wrote in between (a new message, another delivery): re-read and archive the fresh version.
                var fresh = await store.GetConversationAsync(conversation.UserId, conversation.Id, cancellationToken).ConfigureAwait(false);
                if (fresh is null || fresh.Status != ConversationStatus.Active)
                {
                    return null;
                }

                target = fresh;
            }
        }
    }

    private async Task<List<Conversation>> ListAssessmentConversationsAsync(string userId, ConversationStatus? status, CancellationToken cancellationToken)
    {
        var result = new List<Conversation>();
        string? token = null;
        for (var page = 0; page < MaxListPages; page++)
        {
            var listed = await store.ListConversationsAsync(userId, status, ListPageSize, token, cancellationToken).ConfigureAwait(false);
            result.AddRange(listed.Items.Where(c => c.ContextType == ContextTypes.Assessment && c.AssessmentId is not null));
            token = listed.ContinuationToken;
            if (token is null)
            {
                break;
            }
        }

        return result;
    }

    private static (DateTimeOffset CompletedAt, string AssessmentId) OrderKey(Conversation conversation) =>
        (CompletedAt(conversation), conversation.AssessmentId ?? string.Empty);

    private static int Compare((DateTimeOffset CompletedAt, string AssessmentId) a, (DateTimeOffset CompletedAt, string AssessmentId) b)
    {
        var byTime = a.CompletedAt.CompareTo(b.CompletedAt);
        return byTime != 0 ? byTime : string.CompareOrdinal(a.AssessmentId, b.AssessmentId);
    }

    private static JsonElement BuildContextData(AssessmentEvent assessmentEvent, AssessmentProfile profile)
    {
        var data = new JsonObject
        {
            ["assessmentId"] = assessmentEvent.AssessmentId,
            ["eventId"] = assessmentEvent.EventId,
            ["completedAt"] = assessmentEvent.CompletedAt.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture),
            ["profileSummary"] = profile.Summary,
            ["results"] = AssessmentEventParser.ToJson(assessmentEvent.Results),
            ["suggestedQuestions"] = new JsonArray([.. profile.SuggestedQuestions.Select(q => (JsonNode?)JsonValue.Create(q))]),
        };
        return JsonSerializer.SerializeToElement(data);
    }
}
