namespace RagFunctions.Core.Ingestion;

/// <summary>Reads the blob path out of an Azure Storage Event Grid subject
/// (<c>/blobServices/default/containers/{container}/blobs/{path}</c>), as the blob-deleted handler receives it.</summary>
/// <remarks>Subjects carry the blob name as stored (not URL-encoded), so the path is returned verbatim; a name with
/// <c>%</c> or spaces is a legal blob name and must map to the same document id as the blob trigger's <c>{name}</c>.</remarks>
public static class BlobEventSubjects
{
    private const string ServicePrefix = "/blobServices/default/containers/";
    private const string BlobsSegment = "/blobs/";

    /// <summary>The blob path inside <paramref name="container"/>, or false when the subject is not a blob of that container
    /// (another container, a container-level event, an empty or malformed subject).</summary>
    public static bool TryGetBlobPath(string? subject, string container, out string blobPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(container);
        blobPath = "";
        if (string.IsNullOrEmpty(subject) || !subject.StartsWith(ServicePrefix, StringComparison.Ordinal))
        {
            return false;
        }

        var rest = subject.AsSpan(ServicePrefix.Length);
        // Container names are lower-case by Azure's rules, but compare exactly: a different spelling is a different container.
        if (!rest.StartsWith(container, StringComparison.Ordinal) || !rest[container.Length..].StartsWith(BlobsSegment, StringComparison.Ordinal))
        {
            return false;
        }

        var path = rest[(container.Length + BlobsSegment.Length)..];
        if (path.IsEmpty || path.IsWhiteSpace())
        {
            return false;
        }

        blobPath = path.ToString();
        return true;
    }
}
