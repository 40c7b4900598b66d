using System.Net;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using RagFunctions.Azure.History;
using RagFunctions.Core.Assessment;
using static RagFunctions.Azure.History.CosmosHistoryDocuments;

namespace RagFunctions.Azure.Assessment;

/// <summary>
/// <c>chatbot_ready</c> notifications on Cosmos DB, in the history container: each item sits in its user's partition
/// (<c>/userId</c>) with <c>type = "notification"</c>, so polling is a single-partition query and a user's data stays together.
/// </summary>
/// <remarks>
/// The item id is <c>notification:{notification id}</c>. The notification id is deterministic per (user, assessment), so a
/// redelivered event's publish meets a 409 and is dropped: the first record (and its timestamp) wins, as in the SQLite store.
/// The prefix keeps the id apart from conversation ids in the same partition; the history store's queries all filter on
/// <c>type</c> and its reads refuse the prefix, so these items never show up as conversations or messages.
/// Items carry no <c>ttl</c>: the container's TTL (on, no default expiry) leaves them alone.
/// </remarks>
public sealed partial class CosmosNotificationStore : INotificationSink, INotificationReader
{
    /// <summary>The <c>type</c> discriminator of notification items.</summary>
    public const string ItemType = "notification";

    /// <summary>Largest page <see cref="ListAsync"/> returns; bigger requests are clamped.</summary>
    public const int MaxPageSize = 1000;

    private readonly CosmosHistoryContainer _containers;
    private readonly ILogger<CosmosNotificationStore> _logger;

    public CosmosNotificationStore(CosmosHistoryContainer containers, ILogger<CosmosNotificationStore>? logger = null)
    {
        _containers = containers;
        _logger = logger ?? NullLogger<CosmosNotificationStore>.Instance;
    }

    /// <summary>The Cosmos item id of a notification.</summary>
    public static string ItemId(string notificationId) => NotificationIdPrefix + notificationId;

    public async Task PublishAsync(ChatbotReadyNotification notification, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var container = await _containers.GetContainerAsync(cancellationToken);
        var document = new NotificationDocument
        {
            Id = ItemId(notification.Id),
            UserId = notification.UserId,
            NotificationId = notification.Id,
            NotificationType = notification.Type,
            ConversationId = notification.ConversationId,
            AssessmentId = notification.AssessmentId,
            CreatedAt = FormatTimestamp(notification.CreatedAt),
        };
        try
        {
            await CosmosProblems.TranslateAsync(() => container.CreateItemAsync(
                document, new PartitionKey(notification.UserId), new ItemRequestOptions { EnableContentResponseOnWrite = false }, cancellationToken));
        }
        catch (CosmosException ex) when (ex.StatusCode == HttpStatusCode.Conflict)
        {
            LogDuplicate(notification.Id);
        }
    }

    public async Task<IReadOnlyList<ChatbotReadyNotification>> ListAsync(string userId, DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        var take = Math.Clamp(limit, 1, MaxPageSize);
        // TOP is a literal: an int we computed, not caller text. Timestamps are fixed-width UTC strings, so > and ORDER BY follow time.
        var query = new QueryDefinition(
                $"SELECT TOP {take} * FROM c WHERE c.userId = @userId AND c.type = @type"
                + (since is null ? "" : " AND c.createdAt > @since")
                + " ORDER BY c.createdAt ASC")
            .WithParameter("@userId", userId)
            .WithParameter("@type", ItemType);
        if (since is not null)
        {
            query = query.WithParameter("@since", FormatTimestamp(since.Value));
        }

        var container = await _containers.GetContainerAsync(cancellationToken);
        var documents = new List<NotificationDocument>(Math.Min(take, 32));
        using var iterator = container.GetItemQueryIterator<NotificationDocument>(query, requestOptions: new QueryRequestOptions
        {
            PartitionKey = new PartitionKey(userId),
            MaxItemCount = take,
        });
        while (iterator.HasMoreResults && documents.Count < take)
        {
            documents.AddRange(await CosmosProblems.TranslateAsync(() => iterator.ReadNextAsync(cancellationToken)));
        }

        // Same order as the SQLite store: time, then id for notifications created in the same tick.
        return [.. documents
            .Take(take)
            .OrderBy(d => d.CreatedAt, StringComparer.Ordinal)
            .ThenBy(d => d.NotificationId, StringComparer.Ordinal)
            .Select(d => new ChatbotReadyNotification(d.NotificationId, d.UserId, d.ConversationId, d.AssessmentId, ParseTimestamp(d.CreatedAt)))];
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Notification {NotificationId} already stored; duplicate publish ignored")]
    private partial void LogDuplicate(string notificationId);
}

/// <summary>The stored notification item.</summary>
internal sealed class NotificationDocument
{
    public required string Id { get; init; }
    public required string UserId { get; init; }
    public string Type { get; init; } = CosmosNotificationStore.ItemType;
    public required string NotificationId { get; init; }

    /// <summary>The notification kind (<c>chatbot_ready</c>); <c>type</c> is taken by the container-wide item discriminator.</summary>
    public string NotificationType { get; init; } = ChatbotReadyNotification.NotificationType;

    public required string ConversationId { get; init; }
    public required string AssessmentId { get; init; }
    public required string CreatedAt { get; init; }
}
