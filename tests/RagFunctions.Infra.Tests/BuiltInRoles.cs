namespace RagFunctions.Infra.Tests;

/// <summary>
/// Role definition ids the Bicep may use, name ↔ GUID. Azure RBAC ids are from the "Azure built-in roles"
/// reference (learn.microsoft.com/azure/role-based-access-control/built-in-roles); a GUID here that is not
/// on that page is the failure mode this table exists to catch, so add entries only from that page.
/// </summary>
public static class BuiltInRoles
{
    public static readonly IReadOnlyDictionary<string, string> ByName = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // Storage
        ["StorageBlobDataOwner"] = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b",        // Storage Blob Data Owner
        ["StorageBlobDataContributor"] = "ba92f5b4-2d11-453d-a403-e96b0029c9fe",  // Storage Blob Data Contributor
        ["StorageQueueDataContributor"] = "974c5e8b-45b9-4653-ba55-5f855dd0fb88", // Storage Queue Data Contributor
        ["StorageTableDataContributor"] = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", // Storage Table Data Contributor
        // AI + machine learning
        ["SearchIndexDataContributor"] = "8ebe5a00-799e-43f5-93ac-243d3dce84a7",  // Search Index Data Contributor
        ["SearchIndexDataReader"] = "1407120a-92aa-4202-b7e9-c0e197c71c8f",       // Search Index Data Reader
        ["SearchServiceContributor"] = "7ca78c08-252a-4471-8644-bb5ff32d4ba0",    // Search Service Contributor
        ["CognitiveServicesOpenAIUser"] = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", // Cognitive Services OpenAI User
        // Integration
        ["ServiceBusDataReceiver"] = "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0",      // Azure Service Bus Data Receiver
        ["ServiceBusDataSender"] = "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39",        // Azure Service Bus Data Sender
        // Monitor
        ["MonitoringMetricsPublisher"] = "3913510d-42f4-4e42-8a64-420c390055eb",  // Monitoring Metrics Publisher
        // Cosmos DB data plane: a built-in SQL role definition (Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions),
        // not an Azure RBAC role; its id is fixed by the service.
        ["CosmosDbBuiltInDataContributor"] = "00000000-0000-0000-0000-000000000002", // Cosmos DB Built-in Data Contributor
    };

    public static bool Contains(string guid) =>
        ByName.Values.Contains(guid, StringComparer.OrdinalIgnoreCase);
}
