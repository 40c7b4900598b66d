using System.Text.Json;
using Microsoft.Azure.Cosmos;
using RagFunctions.Azure.Assessment;
using RagFunctions.Azure.Tests.History;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.History;
using RagFunctions.Tests.Shared.History;

namespace RagFunctions.Azure.Tests.Assessment;

/// <summary><see cref="CosmosNotificationStore"/> against the Cosmos DB test server, in the same container as conversation history.</summary>
public sealed class CosmosNotificationStoreTests(CosmosTestServer server) : IClassFixture<CosmosTestServer>
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => CancellationToken.None;

    private CosmosNotificationStore Store => new(server.Containers);

    [StoreFact]
    public async Task Publishing_the_same_notification_twice_stores_one_item_and_keeps_the_first()
    {
        var user = NewUser();
        var first = Notification(user, "asm-1", T0);

        await Store.PublishAsync(first, Ct);
        await Store.PublishAsync(first with { ConversationId = "other", CreatedAt = T0.AddMinutes(5) }, Ct);

        var listed = await Store.ListAsync(user, null, 50, Ct);
        Assert.Equal(first, Assert.Single(listed));
        Assert.Equal(1, await CountItemsAsync(user, CosmosNotificationStore.ItemType));
    }

    [StoreFact]
    public async Task Concurrent_duplicate_publishes_store_one_item()
    {
        var user = NewUser();
        var notification = Notification(user, "asm-1", T0);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Store.PublishAsync(notification, Ct)));

        Assert.Single(await Store.ListAsync(user, null, 50, Ct));
    }

    [StoreFact]
    public async Task Items_live_in_the_users_partition_with_the_notification_type_and_a_prefixed_id()
    {
        var user = NewUser();
        var notification = Notification(user, "asm-1", T0);
        await Store.PublishAsync(notification, Ct);

        var container = await server.Containers.GetContainerAsync(Ct);
        var item = (await container.ReadItemAsync<JsonElement>("notification:" + notification.Id, new PartitionKey(user), cancellationToken: Ct)).Resource;

        Assert.Equal("notification", item.GetProperty("type").GetString());
        Assert.Equal(user, item.GetProperty("userId").GetString());
        Assert.Equal("chatbot_ready", item.GetProperty("notificationType").GetString());
        Assert.Equal(notification.ConversationId, item.GetProperty("conversationId").GetString());
        Assert.False(item.TryGetProperty("ttl", out _));
    }

    [StoreFact]
    public async Task List_is_oldest_first_and_since_returns_only_strictly_newer_notifications()
    {
        var user = NewUser();
        var late = Notification(user, "asm-3", T0.AddMinutes(2));
        var early = Notification(user, "asm-1", T0);
        var middle = Notification(user, "asm-2", T0.AddMinutes(1).AddTicks(1));
        foreach (var n in new[] { late, early, middle })
        {
            await Store.PublishAsync(n, Ct);
        }

        Assert.Equal([early, middle, late], await Store.ListAsync(user, null, 50, Ct));
        Assert.Equal([middle, late], await Store.ListAsync(user, early.CreatedAt, 50, Ct));
        Assert.Equal([late], await Store.ListAsync(user, T0.AddMinutes(1).AddTicks(1), 50, Ct));
        Assert.Empty(await Store.ListAsync(user, late.CreatedAt, 50, Ct));
        // A since in another offset means the same instant.
        Assert.Equal([middle, late], await Store.ListAsync(user, early.CreatedAt.ToOffset(TimeSpan.FromHours(7)), 50, Ct));
    }

    [StoreFact]
    public async Task Limit_returns_the_oldest_notifications_first()
    {
        var user = NewUser();
        var all = Enumerable.Range(0, 4).Select(i => Notification(user, $"asm-{i}", T0.AddSeconds(i))).ToList();
        foreach (var n in all.AsEnumerable().Reverse())
        {
            await Store.PublishAsync(n, Ct);
        }

        Assert.Equal(all.Take(2), await Store.ListAsync(user, null, 2, Ct));
        Assert.Equal(all.Skip(2).Take(2), await Store.ListAsync(user, all[1].CreatedAt, 2, Ct));
    }

    [StoreFact]
    public async Task Another_users_notifications_are_invisible()
    {
        var alice = NewUser();
        var bob = NewUser();
        await Store.PublishAsync(Notification(alice, "asm-1", T0), Ct);

        Assert.Empty(await Store.ListAsync(bob, null, 50, Ct));
        Assert.Single(await Store.ListAsync(alice, null, 50, Ct));
    }

    [StoreFact]
    public async Task Conversations_listing_and_reads_are_unaffected_by_notification_items()
    {
        var user = NewUser();
        var conversation = new Conversation(
            "conv-" + Guid.NewGuid().ToString("N"), user, "Career profile", ConversationStatus.Active, ContextTypes.General,
            null, null, null, T0, T0, 0, null);
        await server.Store.CreateIfNotExistsAsync(conversation, Ct);
        var notification = Notification(user, "asm-1", T0.AddMinutes(1)) with { ConversationId = conversation.Id };
        await Store.PublishAsync(notification, Ct);

        var page = await server.Store.ListConversationsAsync(user, null, 20, null, Ct);
        var active = await server.Store.ListConversationsAsync(user, ConversationStatus.Active, 20, null, Ct);

        Assert.Equal(conversation.Id, Assert.Single(page.Items).Id);
        Assert.Equal(conversation.Id, Assert.Single(active.Items).Id);
        Assert.Null(await server.Store.GetConversationAsync(user, CosmosNotificationStore.ItemId(notification.Id), Ct));
        Assert.Empty((await server.Store.ListMessagesAsync(user, conversation.Id, 50, null, Ct)).Items);
        Assert.Empty(await server.Store.ListUsageAsync(user, T0.AddDays(-1), null, Ct));
    }

    [StoreFact]
    public async Task A_conversation_cannot_take_a_notification_item_id()
    {
        var user = NewUser();
        var conversation = new Conversation(
            "notification:x", user, "t", ConversationStatus.Active, ContextTypes.General, null, null, null, T0, T0, 0, null);

        await Assert.ThrowsAsync<RagFunctions.Core.Common.ValidationProblemException>(() => server.Store.CreateIfNotExistsAsync(conversation, Ct));
    }

    private static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    private static ChatbotReadyNotification Notification(string userId, string assessmentId, DateTimeOffset createdAt) =>
        new(AssessmentIds.NotificationId(userId, assessmentId), userId, AssessmentIds.ConversationId(userId, assessmentId), assessmentId, createdAt);

    private async Task<int> CountItemsAsync(string userId, string type)
    {
        var container = await server.Containers.GetContainerAsync(Ct);
        var query = new QueryDefinition("SELECT c.id FROM c WHERE c.userId = @u AND c.type = @t").WithParameter("@u", userId).WithParameter("@t", type);
        var count = 0;
        using var feed = container.GetItemQueryIterator<JsonElement>(query, requestOptions: new QueryRequestOptions { PartitionKey = new PartitionKey(userId) });
        while (feed.HasMoreResults)
        {
            count += (await feed.ReadNextAsync(Ct)).Count;
        }

        return count;
    }
}
