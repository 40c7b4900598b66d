using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using RagFunctions.Core.History;
using RagFunctions.Local.Hosting;
using RagFunctions.Local.History;
using RagFunctions.Local.Storage;
using RagFunctions.Tests.Shared.History;
using RagFunctions.Local.Tests.Storage;

namespace RagFunctions.Local.Tests.History;

/// <summary>The shared store contract against SQLite, one fresh database file per test.</summary>
public sealed class SqliteConversationStoreTests : ConversationStoreContractTests, IDisposable
{
    private const int RetentionDays = 7;
    private readonly TempDataDirectory _temp = new("history");
    private readonly SqliteDatabase _database;
    private readonly SqliteConversationStore _store;

    public SqliteConversationStoreTests()
    {
        _database = new SqliteDatabase(Options.Create(new LocalHostOptions { DataDirectory = _temp.Path }));
        _store = new SqliteConversationStore(_database, Options.Create(new HistoryOptions { DeletedRetentionDays = RetentionDays }));
    }

    protected override IConversationStore Store => _store;

    protected override int DeletedRetentionDays => RetentionDays;

    protected override async Task AssertDeletedConversationExpiresAsync(string userId, string conversationId, IReadOnlyList<string> messageIds)
    {
        var now = DateTimeOffset.UtcNow;

        var early = await _store.PurgeDeletedAsync(now.AddDays(RetentionDays).AddHours(-1), Ct);
        Assert.Equal(0, early);
        foreach (var id in messageIds)
        {
            Assert.NotNull(await _store.GetMessageAsync(userId, conversationId, id, Ct));
        }

        var due = await _store.PurgeDeletedAsync(now.AddDays(RetentionDays).AddHours(1), Ct);
        Assert.Equal(1, due);
        foreach (var id in messageIds)
        {
            Assert.Null(await _store.GetMessageAsync(userId, conversationId, id, Ct));
        }

        Assert.Equal(0, await CountRowsAsync("messages", userId));
        Assert.Equal(1, await CountRowsAsync("conversations", userId));
        var (_, created) = await _store.CreateIfNotExistsAsync(NewConversation(userId, conversationId), Ct);
        Assert.True(created);
    }

    [Fact]
    public async Task Every_row_is_keyed_by_user_so_the_same_ids_live_side_by_side()
    {
        var alice = NewUser();
        var bob = NewUser();
        var (aliceConversation, _) = await _store.CreateIfNotExistsAsync(NewConversation(alice, "shared-id", title: "alice"), Ct);
        var (bobConversation, bobCreated) = await _store.CreateIfNotExistsAsync(NewConversation(bob, "shared-id", title: "bob"), Ct);
        var message = new ConversationMessage("m1", "shared-id", alice, MessageRole.User, "from alice", DateTimeOffset.UtcNow);
        await _store.AppendMessagesAsync(alice, "shared-id", [message], message.CreatedAt, Ct);
        await _store.AppendMessagesAsync(bob, "shared-id", [message with { UserId = bob, Content = "from bob" }], message.CreatedAt, Ct);

        Assert.True(bobCreated);
        Assert.Equal("alice", (await _store.GetConversationAsync(alice, "shared-id", Ct))!.Title);
        Assert.Equal("bob", (await _store.GetConversationAsync(bob, "shared-id", Ct))!.Title);
        Assert.Equal("from alice", (await _store.GetMessageAsync(alice, "shared-id", "m1", Ct))!.Content);
        Assert.Equal("from bob", (await _store.GetMessageAsync(bob, "shared-id", "m1", Ct))!.Content);
        Assert.NotEqual(aliceConversation.ETag, bobConversation.ETag);
    }

    [Fact]
    public async Task A_token_from_another_users_listing_pages_only_the_callers_own_rows()
    {
        var alice = NewUser();
        var bob = NewUser();
        for (var i = 0; i < 3; i++)
        {
            await _store.CreateIfNotExistsAsync(NewConversation(alice, $"a{i}", DateTimeOffset.UtcNow.AddMinutes(i)), Ct);
        }

        await _store.CreateIfNotExistsAsync(NewConversation(bob, "b0", DateTimeOffset.UtcNow.AddMinutes(-5)), Ct);
        var alicePage = await _store.ListConversationsAsync(alice, null, 1, null, Ct);

        var bobPage = await _store.ListConversationsAsync(bob, null, 10, alicePage.ContinuationToken, Ct);

        Assert.All(bobPage.Items, c => Assert.Equal(bob, c.UserId));
    }

    private async Task<long> CountRowsAsync(string table, string userId)
    {
        await using var connection = await _database.OpenAsync(Ct);
        await using var command = connection.CreateCommand();
        command.CommandText = $"SELECT COUNT(*) FROM {table} WHERE user_id = $user;";
        command.Parameters.AddWithValue("$user", userId);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    public void Dispose() => _temp.Dispose();
}
