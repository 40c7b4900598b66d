namespace RagFunctions.Core.Retrieval;

/// <summary>The one wire shape of <see cref="Retrievers"/>: a list of names (<c>["keyword","vector"]</c>), used by search results and chat diagnostics alike.</summary>
public static class FoundByNames
{
    public const string Keyword = "keyword";
    public const string Vector = "vector";

    public static IReadOnlyList<string> Of(Retrievers retrievers) => retrievers switch
    {
        Retrievers.Keyword | Retrievers.Vector => [Keyword, Vector],
        Retrievers.Keyword => [Keyword],
        Retrievers.Vector => [Vector],
        _ => [],
    };
}
