using System.Buffers;
using RagFunctions.Core.Common;
using RagFunctions.Core.Identity;

namespace RagFunctions.Core.Ingestion.Access;

/// <summary>Who may read a document: its owners (user ids) and groups. Both empty: every signed-in user.</summary>
public sealed record DocumentReaders(IReadOnlyList<string> OwnerIds, IReadOnlyList<string> GroupIds)
{
    public static DocumentReaders Everyone { get; } = new([], []);

    public bool IsPublic => OwnerIds.Count == 0 && GroupIds.Count == 0;
}

/// <summary>How an upload is shared (<c>visibility</c> form field or query parameter).</summary>
public enum DocumentVisibility
{
    /// <summary>Only the uploader (<c>users/&lt;userId&gt;/…</c>). The default.</summary>
    Private,

    /// <summary>Members of the named groups (<c>groups/&lt;g1&gt;[+&lt;g2&gt;…]/…</c>).</summary>
    Shared,

    /// <summary>Every signed-in user (top level of the folder / container).</summary>
    Public,
}

/// <summary>
/// The one document access rule, used by both hosts for the catalog (list, status, delete, upload) while the index applies
/// the same readers to chunks (<c>ownerIds</c>/<c>groupIds</c>). Readers follow from the source path, so a file dropped in
/// the folder or a blob written to the container by any tool gets the same access as an upload:
/// <list type="bullet">
/// <item><c>users/&lt;userId&gt;/…</c> — private to that user (<c>ownerIds = [userId]</c>);</item>
/// <item><c>groups/&lt;group&gt;/…</c> (or <c>groups/&lt;g1&gt;+&lt;g2&gt;/…</c>) — members of those groups (<c>groupIds</c>);</item>
/// <item>anything else — every signed-in user.</item>
/// </list>
/// Reading needs one of the readers; writing (upload, replace, delete) needs the writer role as well. A document the
/// caller may not read does not exist for them (404), whatever their role.
/// </summary>
public static class DocumentAccess
{
    public const string UsersFolder = "users";
    public const string GroupsFolder = "groups";
    public const char GroupSeparator = '+';
    public const int MaxGroupsPerDocument = 16;
    public const int MaxPrincipalLength = 128;

    // Ids become folder names: letters, digits and . _ @ - only (Entra object ids are GUIDs; local ids are chosen by whoever mints tokens).
    private static readonly SearchValues<char> PrincipalChars =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@-");

    /// <summary>The readers of the document at <paramref name="sourcePath"/>, by the folder convention.</summary>
    public static DocumentReaders ReadersOf(string sourcePath)
    {
        ArgumentNullException.ThrowIfNull(sourcePath);
        var segments = Ingestion.Catalog.DocumentIds.NormalizePath(sourcePath).Split('/');
        if (segments.Length < 3)
        {
            // users/<id> or groups/<g> with no file below are plain names at the top level.
            return DocumentReaders.Everyone;
        }

        if (string.Equals(segments[0], UsersFolder, StringComparison.Ordinal))
        {
            return new DocumentReaders([segments[1]], []);
        }

        if (string.Equals(segments[0], GroupsFolder, StringComparison.Ordinal))
        {
            var groups = segments[1].Split(GroupSeparator, StringSplitOptions.RemoveEmptyEntries).Distinct(StringComparer.Ordinal).ToArray();
            // "groups/+/x": no usable group; keep it closed rather than letting an empty list read as public.
            return groups.Length == 0 ? new DocumentReaders([], [segments[1]]) : new DocumentReaders([], groups);
        }

        return DocumentReaders.Everyone;
    }

    /// <summary>True when <paramref name="caller"/> may see the document (status, list, search hits, citations).</summary>
    public static bool CanRead(CallerIdentity caller, DocumentReaders readers)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(readers);
        return readers.IsPublic
            || readers.OwnerIds.Contains(caller.UserId, StringComparer.Ordinal)
            || readers.GroupIds.Any(g => caller.GroupIds.Contains(g, StringComparer.Ordinal));
    }

    public static bool CanRead(CallerIdentity caller, string sourcePath) => CanRead(caller, ReadersOf(sourcePath));

    /// <summary>True when <paramref name="caller"/> holds the writer role. Writing a document also needs <see cref="CanRead(CallerIdentity, string)"/>.</summary>
    public static bool IsWriter(CallerIdentity caller, string writerRole)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.HasRole(writerRole);
    }

    /// <summary>The folder an upload goes to (empty for public), checked against the caller: private uploads go to the caller's
    /// own folder; shared ones only to groups the caller belongs to.</summary>
    /// <exception cref="ValidationProblemException">Bad visibility/groups combination or ids unusable as folder names.</exception>
    /// <exception cref="ForbiddenProblemException">Sharing with a group the caller is not a member of.</exception>
    public static string UploadFolder(CallerIdentity caller, DocumentVisibility visibility, IReadOnlyList<string> groups)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(groups);
        switch (visibility)
        {
            case DocumentVisibility.Public:
                if (groups.Count > 0)
                {
                    throw new ValidationProblemException("groups", "'groups' applies to visibility=shared only.");
                }

                return "";
            case DocumentVisibility.Private:
                if (groups.Count > 0)
                {
                    throw new ValidationProblemException("groups", "'groups' applies to visibility=shared only.");
                }

                if (!IsUsableId(caller.UserId))
                {
                    throw new ValidationProblemException("visibility",
                        "Your user id cannot name a private folder (letters, digits and . _ @ - only, at most 128); upload with visibility=shared or public.");
                }

                return $"{UsersFolder}/{caller.UserId}";
            default:
                var distinct = groups.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                if (distinct.Count == 0 || distinct.Count > MaxGroupsPerDocument)
                {
                    throw new ValidationProblemException("groups", $"visibility=shared needs 1 to {MaxGroupsPerDocument} group ids in 'groups' (comma-separated).");
                }

                if (distinct.FirstOrDefault(g => !IsUsableId(g)) is { } bad)
                {
                    throw new ValidationProblemException("groups", $"Group id '{Truncate(bad)}' cannot name a folder (letters, digits and . _ @ - only, at most 128).");
                }

                if (distinct.FirstOrDefault(g => !caller.GroupIds.Contains(g, StringComparer.Ordinal)) is { } foreign)
                {
                    throw new ForbiddenProblemException($"You can share documents only with groups you belong to; you are not a member of '{Truncate(foreign)}'.");
                }

                return $"{GroupsFolder}/{string.Join(GroupSeparator, distinct)}";
        }
    }

    /// <summary>Parses <c>visibility</c> (private | shared | public; empty: private).</summary>
    public static DocumentVisibility ParseVisibility(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "" or "private" => DocumentVisibility.Private,
        "shared" or "groups" => DocumentVisibility.Shared,
        "public" => DocumentVisibility.Public,
        _ => throw new ValidationProblemException("visibility", "'visibility' must be private, shared or public."),
    };

    /// <summary>Splits a <c>groups</c> value (comma-separated, repeated fields allowed).</summary>
    public static IReadOnlyList<string> ParseGroups(IEnumerable<string?> values) =>
        [.. values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];

    private static bool IsUsableId(string id) =>
        id.Length is > 0 and <= MaxPrincipalLength && !id.AsSpan().ContainsAnyExcept(PrincipalChars) && id is not "." and not "..";

    private static string Truncate(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
