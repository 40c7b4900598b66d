namespace RagFunctions.Core.Identity;

/// <summary>Who is calling, established at the edge (Easy Auth header or a validated bearer token).</summary>
/// <param name="UserId">Stable user id (the Entra <c>oid</c> claim on Azure, the token <c>sub</c> locally).</param>
/// <param name="Name">Display name when the identity provider gave one.</param>
/// <param name="GroupIds">Group ids used for security trimming of documents.</param>
/// <param name="Source">How the identity was established, e.g. <c>easyauth</c> or <c>bearer</c>.</param>
public sealed record CallerIdentity(string UserId, string? Name, IReadOnlyList<string> GroupIds, string Source)
{
    /// <summary>The ids a document's <c>ownerIds</c>/<c>groupIds</c> are matched against.</summary>
    public IReadOnlyList<string> PrincipalIds => [UserId, .. GroupIds];
}
