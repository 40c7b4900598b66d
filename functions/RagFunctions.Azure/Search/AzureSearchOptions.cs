namespace RagFunctions.Azure.Search;

/// <summary>Bound from <c>RagFunctions:AzureSearch</c>. Vector dimensions come from <c>RagFunctions:Embedding:Dimensions</c>.</summary>
public sealed class AzureSearchOptions
{
    public const string Section = "RagFunctions:AzureSearch";

    /// <summary>Service URL, e.g. <c>https://x.search.windows.net</c>; empty keeps the local index.</summary>
    public string? Endpoint { get; set; }

    public string IndexName { get; set; } = "ragfunctions-chunks";

    /// <summary>Semantic configuration name; when set, the index defines it (title + content) and text queries use the semantic ranker.</summary>
    public string? SemanticConfiguration { get; set; }
}
