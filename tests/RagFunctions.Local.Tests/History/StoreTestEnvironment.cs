namespace RagFunctions.Tests.Shared.History;

internal static partial class StoreTestEnvironment
{
    /// <summary>SQLite is embedded: the contract always runs here.</summary>
    internal static partial string? SkipReason() => null;
}
