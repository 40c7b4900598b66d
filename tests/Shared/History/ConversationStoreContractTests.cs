using System.Text.Json;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;

namespace RagFunctions.Tests.Shared.History;

/// <summary>The behaviour every <see cref="IConversationStore"/> must have. Run against SQLite (Local.Tests) and against
/// Cosmos DB served by the test server (Azure.Tests). Each test works in fresh user partitions, so stores may be shared.</summary>
public abstract class ConversationStoreContractTests
{
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    protected abstract IConversationStore Store { get; }

    /// <summary>The store's <c>RagFunctions:History:DeletedRetentionDays</c>.</summary>
    protected abstract int DeletedRetentionDays { get; }

    /// <summary>Proves that the soft-deleted conversation and its messages go away after the retention and not before
    /// (SQLite: purge; Cosmos DB: per-item TTL).</summary>
    protected abstract Task AssertDeletedConversationExpiresAsync(string userId, string conversationId, IReadOnlyList<string> messageIds);

    protected static CancellationToken Ct => CancellationToken.None;

    protected static string NewUser() => "user-" + Guid.NewGuid().ToString("N");

    protected static Conversation NewConversation(string userId, string? id = null, DateTimeOffset? updatedAt = null, string title = "Hello") => new(
        id ?? Guid.NewGuid().ToString("N"),
        userId,
        title,
        ConversationStatus.Active,
        ContextTypes.General,
        ContextData: null,
        ContextSummary: null,
        AssessmentId: null,
        CreatedAt: updatedAt ?? T0,
        UpdatedAt: updatedAt ?? T0,
        MessageCount: 0);

    protected static ConversationMessage UserMessage(string userId, string conversationId, string content, DateTimeOffset at) =>
        new(Guid.NewGuid().ToString("N"), conversationId, userId, MessageRole.User, content, at);

    protected static ConversationMessage AssistantMessage(string userId, string conversationId, string content, DateTimeOffset at, string? parentId = null, TokenUsage? usage = null, string model = "gpt-test") =>
        new(Guid.NewGuid().ToString("N"), conversationId, userId, MessageRole.Assistant, content, at, parentId,
            Metadata: new MessageMetadata("answer", model, usage));

    private async Task<Conversation> CreateAsync(Conversation conversation)
    {
        var (stored, created) = await Store.CreateIfNotExistsAsync(conversation, Ct);
        Assert.True(created);
        return stored;
    }

    [StoreFact]
    public async Task Create_then_get_returns_the_stored_conversation_with_an_etag()
    {
        var user = NewUser();
        using var context = JsonDocument.Parse("""{"riasec":{"I":92,"R":85},"tags":["a","b"]}""");
        var conversation = NewConversation(user) with
        {
            Title = "Your career profile",
            ContextType = ContextTypes.Assessment,
            ContextData = context.RootElement.Clone(),
            ContextSummary = "RIASEC I92 R85",
            AssessmentId = "assessment-1",
        };

        var (stored, created) = await Store.CreateIfNotExistsAsync(conversation, Ct);
        var read = await Store.GetConversationAsync(user, conversation.Id, Ct);

        Assert.True(created);
        Assert.False(string.IsNullOrEmpty(stored.ETag));
        Assert.NotNull(read);
        Assert.Equal(stored.ETag, read.ETag);
        Assert.Equal(conversation.Id, read.Id);
        Assert.Equal(user, read.UserId);
        Assert.Equal("Your career profile", read.Title);
        Assert.Equal(ConversationStatus.Active, read.Status);
        Assert.Equal(ContextTypes.Assessment, read.ContextType);
        Assert.Equal("RIASEC I92 R85", read.ContextSummary);
        Assert.Equal("assessment-1", read.AssessmentId);
        Assert.Equal(92, read.ContextData!.Value.GetProperty("riasec").GetProperty("I").GetInt32());
        Assert.Equal(2, read.ContextData.Value.GetProperty("tags").GetArrayLength());
        Assert.Equal(conversation.CreatedAt, read.CreatedAt);
        Assert.Equal(conversation.UpdatedAt, read.UpdatedAt);
        Assert.Equal(0, read.MessageCount);
    }

    [StoreFact]
    public async Task Another_users_conversation_id_reads_as_missing()
    {
        var owner = NewUser();
        var conversation = await CreateAsync(NewConversation(owner));
        var message = UserMessage(owner, conversation.Id, "private", T0.AddMinutes(1));
        await Store.AppendMessagesAsync(owner, conversation.Id, [message], T0.AddMinutes(1), Ct);
        var stranger = NewUser();

        Assert.Null(await Store.GetConversationAsync(stranger, conversation.Id, Ct));
        Assert.Null(await Store.GetMessageAsync(stranger, conversation.Id, message.Id, Ct));
        Assert.Empty((await Store.ListConversationsAsync(stranger, null, 10, null, Ct)).Items);
        Assert.Empty((await Store.ListMessagesAsync(stranger, conversation.Id, 10, null, Ct)).Items);
        await Assert.ThrowsAsync<NotFoundProblemException>(() =>
            Store.AppendMessagesAsync(stranger, conversation.Id, [UserMessage(stranger, conversation.Id, "x", T0)], T0, Ct));
        Assert.Null(await Store.GetConversationAsync(owner, "no-such-conversation", Ct));
    }

    [StoreFact]
    public async Task Create_if_not_exists_twice_keeps_the_first_and_reports_not_created()
    {
        var user = NewUser();
        var first = NewConversation(user, title: "first");
        var (stored, created) = await Store.CreateIfNotExistsAsync(first, Ct);
        var (again, createdAgain) = await Store.CreateIfNotExistsAsync(first with { Title = "second" }, Ct);

        Assert.True(created);
        Assert.False(createdAgain);
        Assert.Equal("first", again.Title);
        Assert.Equal(stored.ETag, again.ETag);
        Assert.Single((await Store.ListConversationsAsync(user, null, 10, null, Ct)).Items);
    }

    [StoreFact]
    public async Task Create_if_not_exists_five_times_concurrently_creates_exactly_one()
    {
        var user = NewUser();
        var id = "assessment-" + Guid.NewGuid().ToString("N");
        var attempts = Enumerable.Range(0, 5)
            .Select(i => Task.Run(() => Store.CreateIfNotExistsAsync(NewConversation(user, id, title: $"attempt {i}"), Ct)))
            .ToArray();

        var results = await Task.WhenAll(attempts);

        Assert.Single(results, r => r.Created);
        var winner = results.Single(r => r.Created).Conversation.Title;
        Assert.All(results, r => Assert.Equal(winner, r.Conversation.Title));
        var listed = (await Store.ListConversationsAsync(user, null, 10, null, Ct)).Items;
        Assert.Equal(id, Assert.Single(listed).Id);
    }

    [StoreFact]
    public async Task List_returns_newest_updated_first_and_pages_with_the_continuation_token()
    {
        var user = NewUser();
        int[] minutes = [30, 10, 50, 20, 40];
        foreach (var minute in minutes)
        {
            await CreateAsync(NewConversation(user, $"c{minute}", T0.AddMinutes(minute)));
        }

        var seen = new List<string>();
        var pages = 0;
        string? token = null;
        do
        {
            var page = await Store.ListConversationsAsync(user, null, 2, token, Ct);
            Assert.InRange(page.Items.Count, 1, 2);
            seen.AddRange(page.Items.Select(c => c.Id));
            token = page.ContinuationToken;
            pages++;
        }
        while (token is not null && pages < 10);

        Assert.Equal(minutes.OrderDescending().Select(m => $"c{m}"), seen);
        Assert.Equal(3, pages);
    }

    [StoreFact]
    public async Task List_filters_by_status_and_never_shows_deleted_conversations()
    {
        var user = NewUser();
        var active = await CreateAsync(NewConversation(user, "active", T0.AddMinutes(1)));
        var archived = await CreateAsync(NewConversation(user, "archived", T0.AddMinutes(2)));
        var deleted = await CreateAsync(NewConversation(user, "deleted", T0.AddMinutes(3)));
        await Store.UpdateConversationAsync(archived with { Status = ConversationStatus.Archived }, Ct);
        await Store.UpdateConversationAsync(deleted with { Status = ConversationStatus.Deleted }, Ct);

        var all = await Store.ListConversationsAsync(user, null, 10, null, Ct);
        var onlyActive = await Store.ListConversationsAsync(user, ConversationStatus.Active, 10, null, Ct);
        var onlyArchived = await Store.ListConversationsAsync(user, ConversationStatus.Archived, 10, null, Ct);

        Assert.Equal(["archived", "active"], all.Items.Select(c => c.Id));
        Assert.Equal(active.Id, Assert.Single(onlyActive.Items).Id);
        Assert.Equal(ConversationStatus.Archived, Assert.Single(onlyArchived.Items).Status);
    }

    [StoreTheory]
    [InlineData("garbage")]
    [InlineData("!!!not base64!!!")]
    [InlineData("e30")] // base64url of "{}"
    [InlineData("eyJ1IjoxLCJpIjoieCIsInMiOiJvdGhlciJ9")] // well-formed JSON that belongs to no listing
    public async Task An_invalid_continuation_token_is_a_validation_problem(string token)
    {
        var user = NewUser();
        await CreateAsync(NewConversation(user));

        var problem = await Assert.ThrowsAsync<ValidationProblemException>(() => Store.ListConversationsAsync(user, null, 10, token, Ct));

        Assert.Contains("continuationToken", problem.Errors.Keys);
    }

    [StoreFact]
    public async Task A_continuation_token_only_continues_the_listing_it_came_from()
    {
        var user = NewUser();
        for (var i = 0; i < 3; i++)
        {
            await CreateAsync(NewConversation(user, $"c{i}", T0.AddMinutes(i)));
        }

        var first = await Store.ListConversationsAsync(user, null, 1, null, Ct);

        Assert.NotNull(first.ContinuationToken);
        var problem = await Assert.ThrowsAsync<ValidationProblemException>(() =>
            Store.ListConversationsAsync(user, ConversationStatus.Archived, 1, first.ContinuationToken, Ct));
        Assert.Contains("continuationToken", problem.Errors.Keys);
    }

    [StoreFact]
    public async Task Update_with_a_stale_etag_is_a_concurrency_problem_and_changes_nothing()
    {
        var user = NewUser();
        var original = await CreateAsync(NewConversation(user, title: "original"));

        var renamed = await Store.UpdateConversationAsync(original with { Title = "renamed" }, Ct);
        await Assert.ThrowsAsync<ConcurrencyProblemException>(() =>
            Store.UpdateConversationAsync(original with { Title = "lost update" }, Ct));

        Assert.NotEqual(original.ETag, renamed.ETag);
        var stored = await Store.GetConversationAsync(user, original.Id, Ct);
        Assert.Equal("renamed", stored!.Title);
        Assert.Equal(renamed.ETag, stored.ETag);
    }

    [StoreFact]
    public async Task Change_without_a_precondition_lands_on_the_current_version_while_messages_are_appended()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user, title: "original"));

        // Appends rotate the ETag concurrently with renames: every rename must land, none may be refused as stale.
        var appends = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, $"m{i}", T0.AddMinutes(i))], T0.AddMinutes(i), Ct)));
        var renames = Enumerable.Range(0, 12).Select(i => Task.Run(() =>
            Store.ChangeConversationAsync(user, conversation.Id, c => c with { Title = $"title {i}" }, null, Ct)));
        var renamed = await Task.WhenAll(renames);
        await Task.WhenAll(appends);

        var stored = await Store.GetConversationAsync(user, conversation.Id, Ct);
        Assert.Equal(12, stored!.MessageCount);
        Assert.StartsWith("title ", stored.Title, StringComparison.Ordinal);
        Assert.All(renamed, r => Assert.StartsWith("title ", r.Title, StringComparison.Ordinal));
        Assert.Equal(12, (await Store.ListMessagesAsync(user, conversation.Id, 100, null, Ct)).Items.Count);
    }

    [StoreFact]
    public async Task Change_with_a_stale_if_match_is_a_concurrency_problem_and_with_the_current_one_succeeds()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user, title: "original"));
        var appended = await Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, "hi", T0.AddMinutes(1))], T0.AddMinutes(1), Ct);

        await Assert.ThrowsAsync<ConcurrencyProblemException>(() =>
            Store.ChangeConversationAsync(user, conversation.Id, c => c with { Title = "lost" }, ETags.ToHeader(conversation.ETag!), Ct));
        Assert.Equal("original", (await Store.GetConversationAsync(user, conversation.Id, Ct))!.Title);

        // The client sends back the header form (quoted); the store's own form matches too.
        var renamed = await Store.ChangeConversationAsync(user, conversation.Id, c => c with { Title = "kept" }, ETags.ToHeader(appended.ETag!), Ct);
        Assert.Equal("kept", renamed.Title);
        Assert.Equal(1, renamed.MessageCount);
        var deleted = await Store.ChangeConversationAsync(user, conversation.Id, c => c with { Status = ConversationStatus.Deleted }, renamed.ETag, Ct);
        Assert.Equal(ConversationStatus.Deleted, deleted.Status);
        Assert.Null(await Store.GetConversationAsync(user, conversation.Id, Ct));
        await Assert.ThrowsAsync<NotFoundProblemException>(() =>
            Store.ChangeConversationAsync(user, conversation.Id, c => c with { Title = "again" }, null, Ct));
    }

    [StoreFact]
    public async Task Change_cannot_move_a_conversation_to_another_user_or_rewind_its_count()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        await Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, "hi", T0.AddMinutes(1))], T0.AddMinutes(1), Ct);

        var changed = await Store.ChangeConversationAsync(user, conversation.Id, c => c with { UserId = "mallory", MessageCount = 0, Title = "t" }, null, Ct);

        Assert.Equal(user, changed.UserId);
        Assert.Equal(1, changed.MessageCount);
        Assert.Null(await Store.GetConversationAsync("mallory", conversation.Id, Ct));
        Assert.Equal("t", (await Store.GetConversationAsync(user, conversation.Id, Ct))!.Title);
    }

    [StoreFact]
    public async Task Update_of_an_unknown_conversation_is_not_found()
    {
        var user = NewUser();

        await Assert.ThrowsAsync<NotFoundProblemException>(() => Store.UpdateConversationAsync(NewConversation(user) with { ETag = "x" }, Ct));
    }

    [StoreFact]
    public async Task Update_keeps_the_stored_message_count()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var appended = await Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, "hi", T0.AddMinutes(1))], T0.AddMinutes(1), Ct);

        var updated = await Store.UpdateConversationAsync(appended with { Title = "t", MessageCount = 0 }, Ct);

        Assert.Equal(1, updated.MessageCount);
        Assert.Equal(1, (await Store.GetConversationAsync(user, conversation.Id, Ct))!.MessageCount);
    }

    [StoreFact]
    public async Task Append_stores_messages_and_bumps_updated_at_message_count_and_etag()
    {
        var user = NewUser();
        var older = await CreateAsync(NewConversation(user, "older", T0));
        await CreateAsync(NewConversation(user, "newer", T0.AddMinutes(5)));
        var question = UserMessage(user, older.Id, "What is RAG?", T0.AddMinutes(10));
        var answer = AssistantMessage(user, older.Id, "Retrieval-augmented generation [1].", T0.AddMinutes(10).AddSeconds(2), question.Id) with
        {
            Citations = [new Citation(1, "chunk-1", "doc-1", "Guide", "guide.md", 3, "Intro", "RAG combines...")],
            FollowupQuestions = ["How?", "Why?", "When?"],
            Incomplete = true,
        };

        var updated = await Store.AppendMessagesAsync(user, older.Id, [question, answer], T0.AddMinutes(11), Ct);

        Assert.Equal(2, updated.MessageCount);
        Assert.Equal(T0.AddMinutes(11), updated.UpdatedAt);
        Assert.NotEqual(older.ETag, updated.ETag);
        Assert.Equal(updated.ETag, (await Store.GetConversationAsync(user, older.Id, Ct))!.ETag);
        var listed = await Store.ListConversationsAsync(user, null, 10, null, Ct);
        Assert.Equal(["older", "newer"], listed.Items.Select(c => c.Id));

        var stored = await Store.GetMessageAsync(user, older.Id, answer.Id, Ct);
        Assert.NotNull(stored);
        Assert.Equal(MessageRole.Assistant, stored.Role);
        Assert.Equal(question.Id, stored.ParentMessageId);
        Assert.True(stored.Incomplete);
        Assert.Equal("Guide", Assert.Single(stored.Citations!).Title);
        Assert.Equal(3, Assert.Single(stored.Citations!).Page);
        Assert.Equal(["How?", "Why?", "When?"], stored.FollowupQuestions);
        Assert.Equal("gpt-test", stored.Metadata!.Model);
        Assert.Equal(answer.CreatedAt, stored.CreatedAt);
        Assert.False(string.IsNullOrEmpty(stored.ETag));
    }

    [StoreFact]
    public async Task Append_changes_the_etag_so_an_earlier_copy_is_stale()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));

        await Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, "hi", T0.AddMinutes(1))], T0.AddMinutes(1), Ct);

        await Assert.ThrowsAsync<ConcurrencyProblemException>(() => Store.UpdateConversationAsync(conversation with { Title = "x" }, Ct));
    }

    [StoreFact]
    public async Task Concurrent_appends_to_one_conversation_all_persist_in_distinct_positions()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var messages = Enumerable.Range(0, 5).Select(i => UserMessage(user, conversation.Id, $"m{i}", T0.AddMinutes(i + 1))).ToList();

        await Task.WhenAll(messages.Select(m => Task.Run(() => Store.AppendMessagesAsync(user, conversation.Id, [m], m.CreatedAt, Ct))));

        var stored = await Store.GetConversationAsync(user, conversation.Id, Ct);
        Assert.Equal(5, stored!.MessageCount);
        Assert.Equal(T0.AddMinutes(5), stored.UpdatedAt);
        var page = await Store.ListMessagesAsync(user, conversation.Id, 10, null, Ct);
        Assert.Equal(messages.Select(m => m.Content).Order(), page.Items.Select(m => m.Content).Order());
    }

    [StoreFact]
    public async Task Append_of_a_duplicate_message_id_is_a_conflict()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var message = UserMessage(user, conversation.Id, "once", T0.AddMinutes(1));
        await Store.AppendMessagesAsync(user, conversation.Id, [message], T0.AddMinutes(1), Ct);

        await Assert.ThrowsAsync<ConflictProblemException>(() => Store.AppendMessagesAsync(user, conversation.Id, [message], T0.AddMinutes(2), Ct));
    }

    [StoreFact]
    public async Task Messages_page_backwards_from_the_newest_in_chronological_pages()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var messages = Enumerable.Range(0, 7).Select(i => UserMessage(user, conversation.Id, $"m{i}", T0.AddMinutes(i))).ToList();
        await Store.AppendMessagesAsync(user, conversation.Id, messages.Take(4).ToList(), T0.AddMinutes(4), Ct);
        await Store.AppendMessagesAsync(user, conversation.Id, messages.Skip(4).ToList(), T0.AddMinutes(7), Ct);

        var newest = await Store.ListMessagesAsync(user, conversation.Id, 3, null, Ct);
        var middle = await Store.ListMessagesAsync(user, conversation.Id, 3, newest.ContinuationToken, Ct);
        var oldest = await Store.ListMessagesAsync(user, conversation.Id, 3, middle.ContinuationToken, Ct);

        Assert.Equal(["m4", "m5", "m6"], newest.Items.Select(m => m.Content));
        Assert.Equal(messages[4].Id, newest.ContinuationToken);
        Assert.Equal(["m1", "m2", "m3"], middle.Items.Select(m => m.Content));
        Assert.Equal(["m0"], oldest.Items.Select(m => m.Content));
        Assert.Null(oldest.ContinuationToken);
        var exact = await Store.ListMessagesAsync(user, conversation.Id, 7, null, Ct);
        Assert.Equal(7, exact.Items.Count);
        Assert.Null(exact.ContinuationToken);
    }

    [StoreFact]
    public async Task Paging_before_an_unknown_message_is_a_validation_problem()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));

        var problem = await Assert.ThrowsAsync<ValidationProblemException>(() => Store.ListMessagesAsync(user, conversation.Id, 10, "no-such-message", Ct));

        Assert.Contains("before", problem.Errors.Keys);
    }

    [StoreFact]
    public async Task Update_message_stores_feedback_and_rejects_a_stale_etag()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var answer = AssistantMessage(user, conversation.Id, "answer", T0.AddMinutes(1));
        await Store.AppendMessagesAsync(user, conversation.Id, [answer], T0.AddMinutes(1), Ct);
        var stored = (await Store.GetMessageAsync(user, conversation.Id, answer.Id, Ct))!;

        var rated = await Store.UpdateMessageAsync(stored with { Feedback = new MessageFeedback("up", "great", T0.AddMinutes(2)) }, Ct);
        await Assert.ThrowsAsync<ConcurrencyProblemException>(() =>
            Store.UpdateMessageAsync(stored with { Feedback = new MessageFeedback("down", null, T0.AddMinutes(3)) }, Ct));

        Assert.NotEqual(stored.ETag, rated.ETag);
        var reread = await Store.GetMessageAsync(user, conversation.Id, answer.Id, Ct);
        Assert.Equal("up", reread!.Feedback!.Rating);
        Assert.Equal("great", reread.Feedback.Comment);
        Assert.Equal("answer", reread.Content);
        var page = await Store.ListMessagesAsync(user, conversation.Id, 10, null, Ct);
        Assert.Equal(answer.Id, Assert.Single(page.Items).Id);
        await Assert.ThrowsAsync<NotFoundProblemException>(() =>
            Store.UpdateMessageAsync(stored with { Id = "missing", ETag = null }, Ct));
    }

    [StoreFact]
    public async Task Soft_delete_hides_the_conversation_from_get_list_and_later_updates()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));

        var deleted = await Store.UpdateConversationAsync(conversation with { Status = ConversationStatus.Deleted }, Ct);

        Assert.Equal(ConversationStatus.Deleted, deleted.Status);
        Assert.Null(await Store.GetConversationAsync(user, conversation.Id, Ct));
        Assert.Empty((await Store.ListConversationsAsync(user, null, 10, null, Ct)).Items);
        await Assert.ThrowsAsync<NotFoundProblemException>(() => Store.UpdateConversationAsync(deleted with { Status = ConversationStatus.Active }, Ct));
        await Assert.ThrowsAsync<NotFoundProblemException>(() =>
            Store.AppendMessagesAsync(user, conversation.Id, [UserMessage(user, conversation.Id, "x", T0)], T0, Ct));
        var (again, created) = await Store.CreateIfNotExistsAsync(conversation, Ct);
        Assert.False(created);
        Assert.Equal(ConversationStatus.Deleted, again.Status);
    }

    [StoreFact]
    public async Task Usage_lists_assistant_messages_with_usage_since_a_time_per_user_and_conversation()
    {
        var user = NewUser();
        var a = await CreateAsync(NewConversation(user, "a"));
        var b = await CreateAsync(NewConversation(user, "b"));
        var question = UserMessage(user, a.Id, "q", T0.AddHours(1));
        var first = AssistantMessage(user, a.Id, "a1", T0.AddHours(1).AddSeconds(1), question.Id, new TokenUsage(100, 20), "model-1");
        var noUsage = AssistantMessage(user, a.Id, "template", T0.AddHours(1).AddSeconds(2), question.Id);
        var second = AssistantMessage(user, b.Id, "b1", T0.AddHours(3), usage: new TokenUsage(50, 5), model: "model-2");
        await Store.AppendMessagesAsync(user, a.Id, [question, first, noUsage], T0.AddHours(1), Ct);
        await Store.AppendMessagesAsync(user, b.Id, [second], T0.AddHours(3), Ct);

        var all = await Store.ListUsageAsync(user, T0, null, Ct);
        var recent = await Store.ListUsageAsync(user, T0.AddHours(2), null, Ct);
        var onlyA = await Store.ListUsageAsync(user, T0, a.Id, Ct);
        var stranger = await Store.ListUsageAsync(NewUser(), T0, null, Ct);

        Assert.Equal([first.Id, second.Id], all.Select(u => u.MessageId));
        var usage = all[0];
        Assert.Equal((a.Id, "model-1", 100, 20, first.CreatedAt), (usage.ConversationId, usage.Model, usage.PromptTokens, usage.CompletionTokens, usage.CreatedAt));
        Assert.Equal(second.Id, Assert.Single(recent).MessageId);
        Assert.Equal(first.Id, Assert.Single(onlyA).MessageId);
        Assert.Empty(stranger);
    }

    [StoreFact]
    public async Task A_soft_deleted_conversation_and_its_messages_expire_after_the_retention()
    {
        var user = NewUser();
        var conversation = await CreateAsync(NewConversation(user));
        var messages = new[] { UserMessage(user, conversation.Id, "q", T0.AddMinutes(1)), AssistantMessage(user, conversation.Id, "a", T0.AddMinutes(2)) };
        var appended = await Store.AppendMessagesAsync(user, conversation.Id, messages, T0.AddMinutes(2), Ct);
        var keep = await CreateAsync(NewConversation(user, "kept"));

        await Store.UpdateConversationAsync(appended with { Status = ConversationStatus.Deleted }, Ct);

        Assert.True(DeletedRetentionDays > 0);
        await AssertDeletedConversationExpiresAsync(user, conversation.Id, messages.Select(m => m.Id).ToList());
        Assert.NotNull(await Store.GetConversationAsync(user, keep.Id, Ct));
    }

    [StoreFact]
    public async Task Escalated_user_messages_of_every_user_are_listed_newest_first_with_their_triage_and_deleted_conversations_left_out()
    {
        // A time no other test writes at, so a shared store's other escalations stay out of the window.
        var at = new DateTimeOffset(2031, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(Random.Shared.Next(1, 500_000));
        var (alice, bob) = (NewUser(), NewUser());
        var aliceConversation = await CreateAsync(NewConversation(alice));
        var bobConversation = await CreateAsync(NewConversation(bob));
        var deletedConversation = await CreateAsync(NewConversation(bob));
        var angry = new MessageTriage("complaint", -0.82, true, ["negative sentiment (-0.82)"], "rules");
        var human = new MessageTriage("request_human", -0.1, true, ["asked for a person"], "rules");
        var calm = new MessageTriage("question", 0.2, false, [], "rules");
        var escalatedAlice = UserMessage(alice, aliceConversation.Id, "This is useless!", at.AddSeconds(1)) with { Triage = angry };
        var quietAlice = UserMessage(alice, aliceConversation.Id, "What port?", at.AddSeconds(2)) with { Triage = calm };
        var escalatedBob = UserMessage(bob, bobConversation.Id, "Saya mau bicara dengan petugas", at.AddSeconds(3)) with { Triage = human };
        var escalatedDeleted = UserMessage(bob, deletedConversation.Id, "Terrible", at.AddSeconds(4)) with { Triage = angry };
        await Store.AppendMessagesAsync(alice, aliceConversation.Id, [escalatedAlice, quietAlice], at.AddSeconds(2), Ct);
        await Store.AppendMessagesAsync(bob, bobConversation.Id, [escalatedBob], at.AddSeconds(3), Ct);
        var toDelete = await Store.AppendMessagesAsync(bob, deletedConversation.Id, [escalatedDeleted], at.AddSeconds(4), Ct);
        await Store.UpdateConversationAsync(toDelete with { Status = ConversationStatus.Deleted, UpdatedAt = at.AddSeconds(5) }, Ct);

        var listed = (await Store.ListEscalationsAsync(at, 100, Ct)).Where(e => e.UserId == alice || e.UserId == bob).ToList();

        Assert.Equal([escalatedBob.Id, escalatedAlice.Id], listed.Select(e => e.MessageId));
        Assert.Equal((bob, bobConversation.Id, "Saya mau bicara dengan petugas"), (listed[0].UserId, listed[0].ConversationId, listed[0].Content));
        Assert.Equal(human.Intent, listed[0].Triage.Intent);
        Assert.Equal(["asked for a person"], listed[0].Triage.Reasons);
        Assert.Equal(-0.82, listed[1].Triage.Sentiment, 3);
        Assert.True(listed[1].Triage.Escalate);

        // The triage is stored with the message and reads back with it.
        var stored = await Store.GetMessageAsync(alice, aliceConversation.Id, quietAlice.Id, Ct);
        Assert.Equal(calm.Intent, stored!.Triage!.Intent);
        Assert.False(stored.Triage.Escalate);

        Assert.DoesNotContain(await Store.ListEscalationsAsync(at.AddSeconds(2), 100, Ct), e => e.MessageId == escalatedAlice.Id);
    }
}
