using System.Net;
using Microsoft.Azure.Cosmos;
using Moq;
using RagFunctions.Azure.History;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using Microsoft.Extensions.Options;

namespace RagFunctions.Azure.Tests.History;

/// <summary>Request-level tests of the production append path (TransactionalBatch), which the local test server cannot serve:
/// the SDK's Container and batch are mocked and the requests the store builds are asserted.</summary>
public sealed class CosmosTransactionalBatchTests
{
    private const string User = "user-1";
    private const string ConversationId = "conv-1";
    private static readonly DateTimeOffset T0 = new(2026, 3, 1, 9, 0, 0, TimeSpan.Zero);

    private readonly Mock<Container> _container = new();
    private readonly Mock<TransactionalBatch> _batch = new();
    private readonly List<MessageDocument> _created = [];
    private readonly List<(string Id, ConversationDocument Document, TransactionalBatchItemRequestOptions? Options)> _replaced = [];
    private readonly Queue<TransactionalBatchResponse> _responses = new();
    private int _reads;

    public CosmosTransactionalBatchTests()
    {
        _container.Setup(c => c.ReadItemAsync<ConversationDocument>(ConversationId, new PartitionKey(User), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(() =>
            {
                _reads++;
                return ItemResponse(StoredConversation(messageCount: 3, etag: $"etag-{_reads}"));
            });
        _container.Setup(c => c.CreateTransactionalBatch(new PartitionKey(User))).Returns(_batch.Object);
        _batch.Setup(b => b.CreateItem(It.IsAny<MessageDocument>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
            .Callback<MessageDocument, TransactionalBatchItemRequestOptions>((d, _) => _created.Add(d))
            .Returns(_batch.Object);
        _batch.Setup(b => b.ReplaceItem(It.IsAny<string>(), It.IsAny<ConversationDocument>(), It.IsAny<TransactionalBatchItemRequestOptions>()))
            .Callback<string, ConversationDocument, TransactionalBatchItemRequestOptions>((id, d, o) => _replaced.Add((id, d, o)))
            .Returns(_batch.Object);
        _batch.Setup(b => b.ExecuteAsync(It.IsAny<CancellationToken>())).ReturnsAsync(() => _responses.Dequeue());
    }

    private CosmosConversationStore Store()
    {
        var options = new CosmosOptions { Endpoint = "https://unused/", UseTransactionalBatch = true };
        return new CosmosConversationStore(
            new CosmosHistoryContainer(_container.Object, options),
            Options.Create(options),
            Options.Create(new HistoryOptions()));
    }

    [Fact]
    public async Task Append_writes_messages_and_the_etag_checked_conversation_in_one_batch()
    {
        _responses.Enqueue(Success());
        var messages = new[] { Message("m1", T0.AddMinutes(1)), Message("m2", T0.AddMinutes(2)) };

        var updated = await Store().AppendMessagesAsync(User, ConversationId, messages, T0.AddMinutes(2), CancellationToken.None);

        Assert.Equal(["m1", "m2"], _created.Select(d => d.MessageId));
        Assert.Equal([3L, 4L], _created.Select(d => d.Seq));
        Assert.All(_created, d => Assert.Equal(("message", User, ConversationId), (d.Type, d.UserId, d.ConversationId)));
        Assert.Equal($"message:{ConversationId}:m1", _created[0].Id);
        var (id, document, options) = Assert.Single(_replaced);
        Assert.Equal(ConversationId, id);
        Assert.Equal("etag-1", options!.IfMatchEtag);
        Assert.Equal(5, document.MessageCount);
        Assert.Equal(CosmosHistoryDocuments.FormatTimestamp(T0.AddMinutes(2)), document.UpdatedAt);
        Assert.Equal("etag-after-batch", updated.ETag);
        Assert.Equal(5, updated.MessageCount);
        _container.Verify(c => c.ReplaceItemAsync(It.IsAny<ConversationDocument>(), It.IsAny<string>(), It.IsAny<PartitionKey?>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()), Times.Never);
        _container.Verify(c => c.CreateItemAsync(It.IsAny<MessageDocument>(), It.IsAny<PartitionKey?>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task A_conversation_changed_meanwhile_412_is_retried_with_a_fresh_read()
    {
        _responses.Enqueue(Failure(HttpStatusCode.PreconditionFailed, [HttpStatusCode.FailedDependency, HttpStatusCode.PreconditionFailed]));
        _responses.Enqueue(Success());

        var updated = await Store().AppendMessagesAsync(User, ConversationId, [Message("m1", T0)], T0, CancellationToken.None);

        Assert.Equal(2, _reads);
        Assert.Equal(["etag-1", "etag-2"], _replaced.Select(r => r.Options!.IfMatchEtag));
        Assert.Equal("etag-after-batch", updated.ETag);
    }

    [Fact]
    public async Task A_duplicate_message_409_in_the_batch_is_a_conflict_problem()
    {
        _responses.Enqueue(Failure(HttpStatusCode.Conflict, [HttpStatusCode.Conflict, HttpStatusCode.FailedDependency]));

        await Assert.ThrowsAsync<ConflictProblemException>(() =>
            Store().AppendMessagesAsync(User, ConversationId, [Message("m1", T0)], T0, CancellationToken.None));
        Assert.Equal(1, _reads);
    }

    [Fact]
    public async Task Throttling_is_reported_as_rate_limited_with_the_retry_hint()
    {
        _container.Setup(c => c.ReadItemAsync<ConversationDocument>(It.IsAny<string>(), It.IsAny<PartitionKey>(), It.IsAny<ItemRequestOptions>(), It.IsAny<CancellationToken>()))
            .ThrowsAsync(new CosmosException("slow down", HttpStatusCode.TooManyRequests, 0, "activity", 1));

        await Assert.ThrowsAsync<RateLimitedProblemException>(() => Store().GetConversationAsync(User, ConversationId, CancellationToken.None));
    }

    private static ConversationMessage Message(string id, DateTimeOffset at) => new(id, ConversationId, User, MessageRole.User, "text " + id, at);

    private static ConversationDocument StoredConversation(int messageCount, string etag) => new()
    {
        Id = ConversationId,
        UserId = User,
        Title = "t",
        Status = ConversationStatus.Active,
        CreatedAt = CosmosHistoryDocuments.FormatTimestamp(T0),
        UpdatedAt = CosmosHistoryDocuments.FormatTimestamp(T0),
        MessageCount = messageCount,
        ETag = etag,
    };

    private static ItemResponse<T> ItemResponse<T>(T resource)
    {
        var response = new Mock<ItemResponse<T>>();
        response.Setup(r => r.Resource).Returns(resource);
        response.Setup(r => r.StatusCode).Returns(HttpStatusCode.OK);
        return response.Object;
    }

    private TransactionalBatchResponse Success()
    {
        var response = new Mock<TransactionalBatchResponse>();
        response.Setup(r => r.IsSuccessStatusCode).Returns(true);
        response.Setup(r => r.StatusCode).Returns(HttpStatusCode.OK);
        response.Setup(r => r.GetOperationResultAtIndex<ConversationDocument>(It.IsAny<int>())).Returns((int index) =>
        {
            var result = new Mock<TransactionalBatchOperationResult<ConversationDocument>>();
            var (_, document, _) = _replaced[^1];
            result.Setup(r => r.Resource).Returns(document);
            result.Setup(r => r.ETag).Returns("etag-after-batch");
            result.Setup(r => r.StatusCode).Returns(HttpStatusCode.OK);
            return result.Object;
        });
        return response.Object;
    }

    private static TransactionalBatchResponse Failure(HttpStatusCode status, HttpStatusCode[] operations)
    {
        var results = operations.Select(s =>
        {
            var result = new Mock<TransactionalBatchOperationResult>();
            result.Setup(r => r.StatusCode).Returns(s);
            return result.Object;
        }).ToList();
        var response = new Mock<TransactionalBatchResponse>();
        response.Setup(r => r.IsSuccessStatusCode).Returns(false);
        response.Setup(r => r.StatusCode).Returns(status);
        response.Setup(r => r.GetEnumerator()).Returns(() => results.GetEnumerator());
        response.Setup(r => r.Count).Returns(results.Count);
        return response.Object;
    }
}
