namespace RagFunctions.Core.History;

/// <summary>Entity tags as clients see them: always a quoted string (RFC 9110 §8.8.3). Cosmos DB ETags arrive quoted already, SQLite's are bare,
/// so both are compared and rendered through here.</summary>
public static class ETags
{
    /// <summary>The <c>ETag</c> header value for a stored ETag.</summary>
    public static string ToHeader(string etag) => "\"" + Opaque(etag) + "\"";

    /// <summary>True when a client's entity tag (quoted or not, <c>W/</c> prefix ignored: conversations have no byte representation to be weak about)
    /// names the stored ETag.</summary>
    public static bool Matches(string clientTag, string? storedETag) =>
        storedETag is not null && string.Equals(Opaque(clientTag), Opaque(storedETag), StringComparison.Ordinal);

    private static string Opaque(string tag)
    {
        var t = tag.Trim();
        if (t.StartsWith("W/", StringComparison.Ordinal))
        {
            t = t[2..];
        }

        return t.Trim('"');
    }
}
