using RagFunctions.Azure.History;

namespace RagFunctions.Local.History;

public static class ConversationHistoryServiceCollectionExtensions
{
    /// <summary>Conversation history for the local host: Cosmos DB when <c>RagFunctions:Cosmos:Endpoint</c> is set (e.g. the emulator with an account key),
    /// otherwise the SQLite store.</summary>
    public static IServiceCollection AddConversationHistory(this IServiceCollection services, IConfiguration configuration)
    {
        var endpoint = configuration[$"{CosmosOptions.Section}:{nameof(CosmosOptions.Endpoint)}"];
        return string.IsNullOrWhiteSpace(endpoint)
            ? services.AddSqliteConversationStore(configuration)
            : services.AddCosmosConversationStore(configuration);
    }
}
