namespace RagFunctions.Core.Identity;

/// <summary>Who is calling, established at the edge (Easy Auth header or a validated bearer token).</summary>
/// <param name="UserId">Stable user id (the Entra <c>oid</c> claim on Azure, the token <c>sub</c> locally).</param>
/// <param name="Name">Display name when the identity provider gave one.</param>
/// <param name="GroupIds">Group ids used for security trimming of documents.</param>
/// <param name="Source">How the identity was established, e.g. <c>easyauth</c> or <c>bearer</c>.</param>
public sealed record CallerIdentity(string UserId, string? Name, IReadOnlyList<string> GroupIds, string Source)
{
    /// <summary>App roles granted to the caller (<c>roles</c> claims), e.g. <c>documents.write</c>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The ids a document's <c>ownerIds</c>/<c>groupIds</c> are matched against.</summary>
    public IReadOnlyList<string> PrincipalIds => [UserId, .. GroupIds];

    /// <summary>True when the caller holds <paramref name="role"/> (ordinal: Entra app role values are case-sensitive).</summary>
    public bool HasRole(string role) => Roles.Contains(role, StringComparer.Ordinal);
}
