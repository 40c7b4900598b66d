using Microsoft.Extensions.Options;
using RagFunctions.Core.Assessment;
using RagFunctions.Local.Assessment;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.Storage;

namespace RagFunctions.Local.Tests.Assessment;

public sealed class SqliteNotificationStoreTests
{
    private readonly SqliteNotificationStore _store = new(new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = AssessmentTestKit.TempFolder() })));

    private static ChatbotReadyNotification Notification(string user, string assessment, DateTimeOffset at) =>
        new(AssessmentIds.NotificationId(user, assessment), user, AssessmentIds.ConversationId(user, assessment), assessment, at);

    [Fact]
    public async Task Publishing_the_same_notification_twice_keeps_one_record()
    {
        var at = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await _store.PublishAsync(Notification("u", "a", at), CancellationToken.None);
        await _store.PublishAsync(Notification("u", "a", at.AddMinutes(5)), CancellationToken.None);

        var items = await _store.ListAsync("u", null, 10, CancellationToken.None);

        var item = Assert.Single(items);
        Assert.Equal(at, item.CreatedAt);
        Assert.Equal(AssessmentIds.ConversationId("u", "a"), item.ConversationId);
        Assert.Equal("a", item.AssessmentId);
    }

    [Fact]
    public async Task Since_returns_only_newer_notifications_of_that_user_oldest_first()
    {
        var t0 = new DateTimeOffset(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
        await _store.PublishAsync(Notification("u", "a2", t0.AddMinutes(2)), CancellationToken.None);
        await _store.PublishAsync(Notification("u", "a1", t0.AddMinutes(1)), CancellationToken.None);
        await _store.PublishAsync(Notification("other", "x", t0.AddMinutes(3)), CancellationToken.None);

        var all = await _store.ListAsync("u", null, 10, CancellationToken.None);
        var since = await _store.ListAsync("u", t0.AddMinutes(1), 10, CancellationToken.None);

        Assert.Equal(["a1", "a2"], all.Select(n => n.AssessmentId));
        Assert.Equal(["a2"], since.Select(n => n.AssessmentId));
    }
}
