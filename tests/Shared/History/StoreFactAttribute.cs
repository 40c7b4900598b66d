namespace RagFunctions.Tests.Shared.History;

/// <summary>Where the store under test comes from; each test project implements <see cref="SkipReason"/>
/// (SQLite always runs; the Cosmos suite skips when its test server is not installed outside CI).</summary>
internal static partial class StoreTestEnvironment
{
    /// <summary>Why the store contract tests cannot run here, or null when they can.</summary>
    internal static partial string? SkipReason();
}

/// <summary>A contract test that is skipped, with the reason, when <see cref="StoreTestEnvironment.SkipReason"/> says so.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreFactAttribute : FactAttribute
{
    public StoreFactAttribute()
    {
        Skip = StoreTestEnvironment.SkipReason();
    }
}

/// <inheritdoc cref="StoreFactAttribute"/>
[AttributeUsage(AttributeTargets.Method)]
public sealed class StoreTheoryAttribute : TheoryAttribute
{
    public StoreTheoryAttribute()
    {
        Skip = StoreTestEnvironment.SkipReason();
    }
}
