using System.Text.Json;
using Microsoft.Azure.Cosmos;
using RagFunctions.Azure.History;
using RagFunctions.Core.History;
using RagFunctions.Tests.Shared.History;

namespace RagFunctions.Azure.Tests.History;

/// <summary>The shared store contract against Cosmos DB, served by the local test server (Gateway mode, fallback append path).</summary>
public sealed class CosmosConversationStoreTests(CosmosTestServer server) : ConversationStoreContractTests, IClassFixture<CosmosTestServer>
{
    protected override IConversationStore Store => server.Store;

    protected override int DeletedRetentionDays => CosmosTestServer.RetentionDays;

    protected override async Task AssertDeletedConversationExpiresAsync(string userId, string conversationId, IReadOnlyList<string> messageIds)
    {
        // The test server does not expire items; what Cosmos DB acts on is the per-item ttl, so assert that on every document.
        var expected = DeletedRetentionDays * 86_400;
        Assert.Equal(expected, await ReadTtlAsync(userId, conversationId));
        foreach (var id in messageIds)
        {
            Assert.Equal(expected, await ReadTtlAsync(userId, CosmosHistoryDocuments.MessageDocumentId(conversationId, id)));
        }
    }

    [StoreFact]
    public async Task Live_conversations_and_messages_carry_no_ttl_and_the_container_has_ttl_on_without_expiry()
    {
        var user = NewUser();
        var (conversation, _) = await Store.CreateIfNotExistsAsync(NewConversation(user), Ct);
        var message = UserMessage(user, conversation.Id, "hi", DateTimeOffset.UtcNow);
        await Store.AppendMessagesAsync(user, conversation.Id, [message], message.CreatedAt, Ct);
        var container = await server.Containers.GetContainerAsync(Ct);

        var properties = (await container.ReadContainerAsync(cancellationToken: Ct)).Resource;

        Assert.Null(await ReadTtlAsync(user, conversation.Id));
        Assert.Null(await ReadTtlAsync(user, CosmosHistoryDocuments.MessageDocumentId(conversation.Id, message.Id)));
        Assert.Equal(-1, properties.DefaultTimeToLive);
        Assert.Equal("/userId", properties.PartitionKeyPath);
    }

    [StoreFact]
    public async Task Documents_carry_the_type_discriminator_and_prefixed_message_ids_in_the_users_partition()
    {
        var user = NewUser();
        var (conversation, _) = await Store.CreateIfNotExistsAsync(NewConversation(user), Ct);
        var message = UserMessage(user, conversation.Id, "hi", DateTimeOffset.UtcNow);
        await Store.AppendMessagesAsync(user, conversation.Id, [message], message.CreatedAt, Ct);

        var conversationDocument = await ReadRawAsync(user, conversation.Id);
        var messageDocument = await ReadRawAsync(user, $"message:{conversation.Id}:{message.Id}");

        Assert.Equal("conversation", conversationDocument.GetProperty("type").GetString());
        Assert.Equal(user, conversationDocument.GetProperty("userId").GetString());
        Assert.Equal("active", conversationDocument.GetProperty("status").GetString());
        Assert.Equal("message", messageDocument.GetProperty("type").GetString());
        Assert.Equal(user, messageDocument.GetProperty("userId").GetString());
        Assert.Equal(0, messageDocument.GetProperty("seq").GetInt64());
        Assert.Null(await Store.GetConversationAsync(user, $"message:{conversation.Id}:{message.Id}", Ct));
    }

    [StoreTheory]
    [InlineData("garbage")]
    [InlineData("{\"token\":\"x\",\"range\":{\"min\":\"\",\"max\":\"FF\"}}")]
    [InlineData("[{\"compositeToken\":\"!!\"}]")]
    public async Task A_well_wrapped_token_with_a_garbage_sdk_continuation_is_still_a_validation_problem(string sdkContinuation)
    {
        var user = NewUser();
        for (var i = 0; i < 3; i++)
        {
            await Store.CreateIfNotExistsAsync(NewConversation(user, $"c{i}", DateTimeOffset.UtcNow.AddMinutes(i)), Ct);
        }

        var crafted = Convert.ToBase64String(JsonSerializer.SerializeToUtf8Bytes(new { f = "any", c = sdkContinuation }))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        var problem = await Assert.ThrowsAsync<RagFunctions.Core.Common.ValidationProblemException>(() => Store.ListConversationsAsync(user, null, 1, crafted, Ct));
        Assert.Contains("continuationToken", problem.Errors.Keys);
    }

    private async Task<int?> ReadTtlAsync(string userId, string documentId)
    {
        var document = await ReadRawAsync(userId, documentId);
        return document.TryGetProperty("ttl", out var ttl) && ttl.ValueKind == JsonValueKind.Number ? ttl.GetInt32() : null;
    }

    private async Task<JsonElement> ReadRawAsync(string userId, string documentId)
    {
        var container = await server.Containers.GetContainerAsync(Ct);
        var response = await container.ReadItemAsync<JsonElement>(documentId, new PartitionKey(userId), cancellationToken: Ct);
        return response.Resource;
    }
}
