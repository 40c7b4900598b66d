using System.Text;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Assessment;

namespace RagFunctions.Core.Tests.Assessment;

internal static class AssessmentSamples
{
    public static string CamelCase(
        string userId = "user-1", string assessmentId = "asm-1", string completedAt = "2026-11-20T10:00:00Z", string eventId = "evt-1") => $$"""
        { "eventType": "analysis_complete", "eventId": "{{eventId}}", "userId": "{{userId}}", "assessmentId": "{{assessmentId}}",
          "completedAt": "{{completedAt}}",
          "results": { "riasec": {"R":85,"I":92,"A":78,"S":60,"E":55,"C":40},
                       "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30},
                       "viaIs": {"creativity":90,"leadership":85},
                       "personaProfile": {"title":"The Inventive Analyst","summary":"Curious and hands-on.","careerRecommendations":["Data Scientist","Mechanical Engineer"]} } }
        """;

    public static string SnakeCase(string userId = "user-1", string assessmentId = "asm-1") => $$"""
        { "event_type": "analysis_complete", "event_id": "evt-1", "user_id": "{{userId}}", "assessment_id": "{{assessmentId}}",
          "completed_at": "2026-11-20T10:00:00Z",
          "results": { "riasec": {"R":85,"I":92,"A":78,"S":60,"E":55,"C":40},
                       "ocean": {"O":88,"C":75,"E":82,"A":70,"N":30},
                       "via_is": {"creativity":90,"leadership":85},
                       "persona_profile": {"title":"The Inventive Analyst","summary":"Curious and hands-on.","career_recommendations":["Data Scientist","Mechanical Engineer"]} } }
        """;

    public static ReadOnlyMemory<byte> Bytes(string json) => Encoding.UTF8.GetBytes(json);

    public static AssessmentEvent Event(string userId = "user-1", string assessmentId = "asm-1", string completedAt = "2026-11-20T10:00:00Z") =>
        AssessmentEventParser.Parse(Bytes(CamelCase(userId, assessmentId, completedAt)));

    /// <summary>A service over <paramref name="store"/> with a recording sink and the given models (none: template welcome).</summary>
    public static AssessmentConversationService Service(
        Core.History.IConversationStore store, INotificationSink? sink = null, bool archivePrevious = true, params AssessmentChatModel[] models) =>
        new(
            store,
            sink ?? new RecordingNotificationSink(),
            new AssessmentWelcomeWriter(() => models, TimeProvider.System, NullLogger<AssessmentWelcomeWriter>.Instance),
            Options.Create(new AssessmentOptions { ArchivePrevious = archivePrevious }),
            TimeProvider.System,
            NullLogger<AssessmentConversationService>.Instance);

    public static AssessmentMessageProcessor Processor(AssessmentConversationService service) =>
        new(service, NullLogger<AssessmentMessageProcessor>.Instance);

    public static AssessmentChatModel Model(string name, IChatClient client, TimeSpan? timeout = null) => new(name, client, timeout);
}

/// <summary>Sink that keeps one record per notification id, like the real stores, and counts publish calls.</summary>
internal sealed class RecordingNotificationSink : INotificationSink
{
    private readonly object _gate = new();
    private readonly Dictionary<string, ChatbotReadyNotification> _records = [];

    public int PublishCalls;

    public Func<Exception?>? Fault { get; set; }

    public IReadOnlyList<ChatbotReadyNotification> Records
    {
        get
        {
            lock (_gate)
            {
                return [.. _records.Values];
            }
        }
    }

    public Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref PublishCalls);
        if (Fault?.Invoke() is { } fault)
        {
            throw fault;
        }

        lock (_gate)
        {
            _records.TryAdd(notification.Id, notification);
        }

        return Task.CompletedTask;
    }
}
