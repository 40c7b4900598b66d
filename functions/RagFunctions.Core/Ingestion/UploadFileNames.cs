using System.Globalization;
using System.Text;
using RagFunctions.Core.Common;

namespace RagFunctions.Core.Ingestion;

/// <summary>Turns a client-supplied upload file name into a safe source path (drop folder file or blob name), so both hosts
/// store an upload under the same name and therefore the same document id.</summary>
public static class UploadFileNames
{
    /// <summary>Longest name kept, in UTF-8 bytes (so also in characters). File systems cap a name at 255 bytes (Linux <c>NAME_MAX</c>,
    /// ext4/xfs/btrfs), not characters: 200 multibyte characters used to end in <c>PathTooLongException</c>. The margin leaves room for
    /// the temporary suffix a drop box writes before the final rename.</summary>
    public const int MaxLength = 200;

    /// <summary>An extension longer than this is not an extension but part of a long name.</summary>
    private const int MaxExtensionLength = 16;

    private const string InvalidChars = "\"<>|:*?\\/";

    /// <summary>Keeps the last path segment only (no folders from the client), replaces characters that are invalid in file names or are
    /// control characters (C0/C1: tabs, line breaks) with <c>_</c>, strips leading dots (no hidden or relative names) and shortens the name
    /// to <see cref="MaxLength"/> UTF-8 bytes keeping its extension and whole characters (grapheme clusters, so no surrogate or combining
    /// sequence is split).</summary>
    /// <exception cref="ValidationProblemException">Nothing usable is left, or the name holds invisible formatting characters (bidirectional
    /// overrides and isolates such as U+202E, zero-width characters): those make a name display differently from what it is
    /// (<c>invoice‮fdp.exe</c> shows as <c>invoiceexe.pdf</c>), so the upload is refused rather than silently renamed.</exception>
    public static string Sanitize(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        var name = fileName.Replace('\\', '/').Split('/')[^1].Trim();
        if (name.FirstOrDefault(c => CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.Format) is var format and not '\0')
        {
            throw new ValidationProblemException(
                "file", $"The file name contains the invisible formatting character U+{(int)format:X4} (bidirectional or zero-width); rename the file without it.");
        }

        // Windows' list is the strictest; applying it on every OS keeps a name valid wherever the drop folder lives.
        name = new string([.. name.Select(c => char.IsControl(c) || InvalidChars.Contains(c, StringComparison.Ordinal) ? '_' : c)])
            .TrimStart('.')
            .Trim();
        if (name.Length == 0)
        {
            throw new ValidationProblemException("file", "The file name is empty or invalid.");
        }

        return Shorten(name);
    }

    /// <summary>Cuts the stem (never the extension) at a grapheme boundary until the name fits <see cref="MaxLength"/> UTF-8 bytes.</summary>
    private static string Shorten(string name)
    {
        if (Encoding.UTF8.GetByteCount(name) <= MaxLength)
        {
            return name;
        }

        var extension = Path.GetExtension(name);
        if (extension.Length is <= 1 or > MaxExtensionLength || extension.Length == name.Length)
        {
            extension = "";
        }

        var stem = name[..^extension.Length];
        var budget = MaxLength - Encoding.UTF8.GetByteCount(extension);
        var kept = new StringBuilder();
        var used = 0;
        var elements = StringInfo.GetTextElementEnumerator(stem);
        while (elements.MoveNext())
        {
            var element = elements.GetTextElement();
            var bytes = Encoding.UTF8.GetByteCount(element);
            if (used + bytes > budget)
            {
                break;
            }

            kept.Append(element);
            used += bytes;
        }

        var shortened = kept.ToString().TrimEnd();
        return shortened.Length == 0 ? throw new ValidationProblemException("file", "The file name is too long to keep.") : shortened + extension;
    }
}
