namespace RagFunctions.Core.Assessment;

/// <summary>Tells the frontend that the advisor conversation for an assessment is ready.</summary>
/// <param name="Id">Deterministic per (user, assessment), so redelivered events collapse into one notification.</param>
public sealed record ChatbotReadyNotification(
    string Id,
    string UserId,
    string ConversationId,
    string AssessmentId,
    DateTimeOffset CreatedAt)
{
    public const string NotificationType = "chatbot_ready";

    public string Type => NotificationType;
}

/// <summary>Where <c>chatbot_ready</c> notifications go: a SQLite table locally; a store and/or a Service Bus topic on Azure.
/// Publishing the same <see cref="ChatbotReadyNotification.Id"/> twice must not create a second record.</summary>
public interface INotificationSink
{
    Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken);
}

/// <summary>The caller's notifications for polling (<c>GET /api/chat/notifications?since=</c>).</summary>
public interface INotificationReader
{
    /// <summary>The user's notifications created strictly after <paramref name="since"/> (all when null), oldest first.</summary>
    Task<IReadOnlyList<ChatbotReadyNotification>> ListAsync(string userId, DateTimeOffset? since, int limit, CancellationToken cancellationToken);
}

/// <summary>For hosts that deliver <c>chatbot_ready</c> only through an output binding (the trigger returns
/// <see cref="AssessmentOutcome.Notification"/>) and keep no notification store.</summary>
public sealed class NoOpNotificationSink : INotificationSink
{
    public Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken) => Task.CompletedTask;
}
