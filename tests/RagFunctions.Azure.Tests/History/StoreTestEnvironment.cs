using RagFunctions.Azure.Tests.History;

namespace RagFunctions.Tests.Shared.History;

internal static partial class StoreTestEnvironment
{
    /// <summary>Skips the Cosmos contract when its test server is not installed, except in CI (CI=true), where the fixture
    /// then fails with a message saying what is missing.</summary>
    internal static partial string? SkipReason()
    {
        var missing = CosmosTestServer.MissingPrerequisite();
        if (missing is null || string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return "Cosmos DB test server not installed (" + missing + ")";
    }
}
