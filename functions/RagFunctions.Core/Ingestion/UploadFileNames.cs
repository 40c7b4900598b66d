using RagFunctions.Core.Common;

namespace RagFunctions.Core.Ingestion;

/// <summary>Turns a client-supplied upload file name into a safe source path (drop folder file or blob name), so both hosts
/// store an upload under the same name and therefore the same document id.</summary>
public static class UploadFileNames
{
    public const int MaxLength = 200;

    private const string InvalidChars = "\"<>|:*?\\/";

    /// <summary>Keeps the last path segment only (no folders from the client), replaces characters that are invalid in
    /// file names or are control characters with <c>_</c>, strips leading dots (no hidden or relative names) and caps the length.</summary>
    /// <exception cref="ValidationProblemException">Nothing usable is left.</exception>
    public static string Sanitize(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.Replace('\\', '/').Split('/')[^1].Trim();
        // Windows' list is the strictest; applying it on every OS keeps a name valid wherever the drop folder lives.
        name = new string([.. name.Select(c => char.IsControl(c) || InvalidChars.Contains(c, StringComparison.Ordinal) ? '_' : c)])
            .TrimStart('.')
            .Trim();
        if (name.Length == 0)
        {
            throw new ValidationProblemException("file", "The file name is empty or invalid.");
        }

        return name.Length > MaxLength ? name[..MaxLength] : name;
    }
}
