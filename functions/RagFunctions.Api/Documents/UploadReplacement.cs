using Microsoft.AspNetCore.Http;
using Microsoft.Net.Http.Headers;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Api.Documents;

/// <summary>Whether an upload may replace the document already at its path. Replacing needs the client to say so:
/// <c>If-Match</c> with the document's ETag (its content hash in quotes, from <c>GET /api/documents/{id}</c> or the upload's 202)
/// or <c>overwrite=true</c>. Otherwise an existing name is a 409 and a stale <c>If-Match</c> a 412 (RFC 9110 §13.1.1: If-Match
/// uses the strong comparison, and fails when no current representation exists; <c>*</c> matches any existing one).</summary>
/// <param name="CreateOnly">Nothing is at the path and the client did not ask to replace: the drop box must create the file only
/// if it is still absent (<see cref="IDocumentDropBox.CreateAsync"/>), so a concurrent upload of the same new name cannot be
/// clobbered between this decision and the write.</param>
public sealed record UploadReplacement(IResult? Refusal, bool CreateOnly = false)
{
    private static readonly UploadReplacement Allowed = new((IResult?)null);
    private static readonly UploadReplacement Create = new((IResult?)null, CreateOnly: true);

    /// <summary>The strong ETag of a document's content.</summary>
    public static string ETagOf(string contentHash) => $"\"{contentHash}\"";

    /// <summary>Allowed when nothing is at the path (and no If-Match asks for something), or the client asked to replace it.</summary>
    public static UploadReplacement Decide(DocumentRecord? existing, string ifMatch, string? overwrite)
    {
        if (!string.IsNullOrWhiteSpace(ifMatch))
        {
            return Matches(existing, ifMatch)
                ? Allowed
                : new UploadReplacement(Stale(existing, ifMatch));
        }

        if (IsTrue(overwrite))
        {
            return Allowed;
        }

        if (existing is null)
        {
            return Create;
        }

        return new UploadReplacement(Exists(existing));
    }

    private static bool Matches(DocumentRecord? existing, string ifMatch)
    {
        if (existing is null)
        {
            return false;
        }

        if (ifMatch.Trim() == "*")
        {
            return true;
        }

        return EntityTagHeaderValue.TryParseStrictList([ifMatch], out var tags)
            && tags.Any(t => !t.IsWeak && t.Tag.Equals(ETagOf(existing.ContentHash), StringComparison.Ordinal));
    }

    private static bool IsTrue(string? value) =>
        value is not null && (value.Trim().Equals("true", StringComparison.OrdinalIgnoreCase) || value.Trim() == "1");

    /// <summary>The 409 for the loser of a race: a create-only write found the name taken after <see cref="Decide"/> had seen it
    /// free. <paramref name="existing"/> is the winner's record when the catalog has it already (the same problem as a plain
    /// second upload), otherwise the problem names the path and the id the document gets.</summary>
    public static IResult Taken(DocumentRecord? existing, string sourcePath) => existing is not null
        ? Exists(existing)
        : TypedResults.Problem(
            detail: $"Another upload stored a document at '{sourcePath}' (id '{DocumentIds.FromSourcePath(sourcePath)}') while this one was "
                + "being received. To replace it, send overwrite=true or If-Match with its ETag from "
                + $"GET /api/documents/{DocumentIds.FromSourcePath(sourcePath)}; or upload under another name.",
            statusCode: StatusCodes.Status409Conflict,
            title: "A document with this name already exists.",
            type: ProblemResults.TypeUri("document-exists"),
            extensions: new Dictionary<string, object?>
            {
                ["documentId"] = DocumentIds.FromSourcePath(sourcePath),
                ["sourcePath"] = sourcePath,
            });

    private static IResult Exists(DocumentRecord existing) => TypedResults.Problem(
        detail: $"A document named '{existing.FileName}' already exists at '{existing.SourcePath}' (id '{existing.Id}'). "
            + $"To replace it, send If-Match: {ETagOf(existing.ContentHash)} (its ETag from GET /api/documents/{existing.Id}) "
            + "or overwrite=true; or upload under another name.",
        statusCode: StatusCodes.Status409Conflict,
        title: "A document with this name already exists.",
        type: ProblemResults.TypeUri("document-exists"),
        extensions: new Dictionary<string, object?>
        {
            ["documentId"] = existing.Id,
            ["sourcePath"] = existing.SourcePath,
            ["etag"] = ETagOf(existing.ContentHash),
        });

    private static IResult Stale(DocumentRecord? existing, string ifMatch) => TypedResults.Problem(
        detail: existing is null
            ? $"If-Match {ifMatch} was sent but no document exists at this name; upload without If-Match to create it."
            : $"If-Match {ifMatch} does not match the current ETag {ETagOf(existing.ContentHash)} of document '{existing.Id}': "
                + $"it changed since you read it. GET /api/documents/{existing.Id} for the current ETag, then retry.",
        statusCode: StatusCodes.Status412PreconditionFailed,
        title: "The document was changed by someone else.",
        type: ProblemResults.TypeUri("precondition-failed"),
        extensions: existing is null
            ? null
            : new Dictionary<string, object?> { ["documentId"] = existing.Id, ["etag"] = ETagOf(existing.ContentHash) });
}
