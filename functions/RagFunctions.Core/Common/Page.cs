namespace RagFunctions.Core.Common;

/// <summary>One page of a listing plus the opaque token that fetches the next one (null at the end).</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? ContinuationToken);
