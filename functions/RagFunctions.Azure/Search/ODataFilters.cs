using System.Globalization;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Azure.Search;

/// <summary>Builds Azure AI Search OData filter expressions from Core filters. All values are quoted here, nowhere else.</summary>
internal static class ODataFilters
{
    /// <summary>An OData string literal: single quotes around, embedded quotes doubled.</summary>
    public static string Quote(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";
    }

    public static string DocumentEquals(string documentId) => $"{AzureSearchSchema.DocumentId} eq {Quote(documentId)}";

    public static string StaleChunks(string documentId, int keepCount) =>
        $"{DocumentEquals(documentId)} and {AzureSearchSchema.Ordinal} ge {keepCount.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Chunks whose vector <paramref name="embedderId"/> made for a text with one of these hashes (hex: no delimiter
    /// characters, so search.in's default space/comma splitting is safe; anything else is dropped before it gets here).</summary>
    public static string CachedVectors(string embedderId, IReadOnlyCollection<string> textHashes) =>
        $"{AzureSearchSchema.VectorModel} eq {Quote(embedderId)} and search.in({AzureSearchSchema.TextHash}, {Quote(string.Join(',', textHashes))})";

    /// <summary>The whole filter for a query, or null when nothing restricts it.</summary>
    public static string? Build(SearchFilter? filter)
    {
        if (filter is null)
        {
            return null;
        }

        var parts = new List<string>(2);
        if (!string.IsNullOrEmpty(filter.DocumentId))
        {
            parts.Add(DocumentEquals(filter.DocumentId));
        }

        if (filter.PrincipalIds is not null)
        {
            parts.Add("(" + Principals(filter.PrincipalIds) + ")");
        }

        return parts.Count == 0 ? null : string.Join(" and ", parts);
    }

    /// <summary>
    /// Security trimming: unrestricted chunks (no owners, no groups) are public; restricted ones need a shared id.
    /// An empty principal list therefore sees public chunks only.
    /// </summary>
    public static string Principals(IReadOnlyList<string> principalIds)
    {
        const string unrestricted = $"not {AzureSearchSchema.OwnerIds}/any() and not {AzureSearchSchema.GroupIds}/any()";
        var ids = principalIds.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return $"({unrestricted})";
        }

        var list = SearchInArguments(ids);
        return $"({unrestricted}) or {AzureSearchSchema.OwnerIds}/any(o: search.in(o, {list})) or {AzureSearchSchema.GroupIds}/any(g: search.in(g, {list}))";
    }

    /// <summary>
    /// search.in splits its list on spaces and commas by default. Ids (Entra object ids, group ids) normally contain
    /// neither; when one does, a '|' delimiter is named explicitly so no id is split into two principals.
    /// </summary>
    private static string SearchInArguments(IReadOnlyList<string> ids)
    {
        if (ids.All(id => id.IndexOfAny([' ', ',']) < 0))
        {
            return Quote(string.Join(',', ids));
        }

        if (ids.Any(id => id.Contains('|', StringComparison.Ordinal)))
        {
            throw new ArgumentException("A principal id contains ' ', ',' and '|'; it cannot be expressed in a search.in list.", nameof(ids));
        }

        return Quote(string.Join('|', ids)) + ", '|'";
    }
}
