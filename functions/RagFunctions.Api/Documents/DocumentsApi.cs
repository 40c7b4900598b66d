using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using RagFunctions.Api.Chat;
using RagFunctions.Api.Identity;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Common;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Access;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Api.Documents;

/// <summary>Document routes: upload, list, read, delete. Handlers are public so the Functions app calls the same code.
/// Every route needs an identity (401); reading follows <see cref="DocumentAccess"/> (a document the caller may not read is
/// 404); upload, replace and delete also need the writer role <c>RagFunctions:Auth:DocumentWriterRole</c> (403).</summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/documents").WithTags("Documents");
        group.MapPost("", UploadAsync).DisableAntiforgery().WithName("UploadDocument")
            .Body<DocumentUploadForm>("multipart/form-data").Returns<DocumentAccepted>(StatusCodes.Status202Accepted).Problems(400, 401, 403, 409, 412, 413, 415);
        group.MapGet("", ListAsync).WithName("ListDocuments").Returns<DocumentListResponse>().Problems(400, 401);
        group.MapGet("/{id}", GetAsync).WithName("GetDocument").Returns<DocumentRecord>().Problems(401, 404);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteDocument").Produces(StatusCodes.Status204NoContent).Problems(401, 403, 404);
        return app;
    }

    /// <summary><c>POST /api/documents</c> (multipart, field <c>file</c>): stores the file where the trigger sees it; 202 with the document's URL.</summary>
    /// <remarks>Sharing: <c>visibility</c> = <c>private</c> (default: only the uploader), <c>shared</c> with <c>groups=a,b</c>
    /// (members of groups the uploader belongs to) or <c>public</c> (every signed-in user), as form fields or query parameters.
    /// A name that already exists at the resolved path is never replaced silently (<see cref="UploadReplacement"/>): 409
    /// unless <c>If-Match</c> carries the document's ETag or <c>overwrite=true</c> is sent; a stale <c>If-Match</c> is 412.</remarks>
    public static async Task<IResult> UploadAsync(
        HttpRequest request, [FromServices] IDocumentDropBox dropBox, [FromServices] IDocumentCatalog catalog, [FromServices] IOptions<IngestionOptions> options,
        [FromServices] ICallerIdentityResolver identity, [FromServices] IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        if (Writer(request, identity, auth) is { } refused)
        {
            return refused;
        }

        var caller = identity.Resolve(request)!;
        var max = options.Value.MaxUploadBytes;
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return ProblemResults.UnsupportedMediaType("Upload the document as multipart/form-data with a 'file' field.");
        }

        // Without a boundary the body cannot be split into parts; the form reader would report it as an "invalid data" length problem.
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType)
            || HeaderUtilities.RemoveQuotes(mediaType.Boundary).Length == 0)
        {
            return ProblemResults.Validation("file", "The multipart/form-data Content-Type has no boundary parameter.");
        }

        if (request.ContentLength is { } length && length > max + (64 * 1024))
        {
            return TooLarge(max);
        }

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = max + (64 * 1024);
        }

        request.HttpContext.Features.Set<IFormFeature>(new FormFeature(request, new FormOptions { MultipartBodyLengthLimit = max + (64 * 1024) }));
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException ex) when (ex.Message.Contains("length limit", StringComparison.OrdinalIgnoreCase))
        {
            // MultipartReader: "Multipart body length limit … exceeded" / "…section length limit…".
            return TooLarge(max);
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge(max);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException or BadHttpRequestException)
        {
            // Truncated or garbage multipart: the client's body is broken, not the server.
            return ProblemResults.Validation("file", $"The multipart body is malformed: {ex.Message}");
        }

        var file = form.Files.GetFile("file") ?? (form.Files.Count == 1 ? form.Files[0] : null);
        if (file is null)
        {
            return ProblemResults.Validation("file", "Attach exactly one file in the 'file' field.");
        }

        if (file.Length > max)
        {
            return TooLarge(max);
        }

        if (file.Length == 0)
        {
            return ProblemResults.Validation("file", "The file is empty.");
        }

        string folder;
        DocumentVisibility visibility;
        try
        {
            visibility = DocumentAccess.ParseVisibility(FieldOrQuery(request, form, "visibility").LastOrDefault());
            folder = DocumentAccess.UploadFolder(caller, visibility, DocumentAccess.ParseGroups(FieldOrQuery(request, form, "groups")));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem);
        }

        // The catalog decides before anything is written: the drop boxes place the file at folder/sanitised name, so the
        // record at that path's id is the document this upload would replace.
        string target;
        try
        {
            target = DocumentAccess.UploadPath(folder, UploadFileNames.Sanitize(file.FileName));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem);
        }

        var existing = await catalog.GetAsync(DocumentIds.FromSourcePath(target), cancellationToken);
        var replacement = UploadReplacement.Decide(
            existing, request.Headers.IfMatch.ToString(), FieldOrQuery(request, form, "overwrite").LastOrDefault());
        if (replacement.Refusal is { } refusal)
        {
            return refusal;
        }

        string hash;
        await using (var hashed = file.OpenReadStream())
        {
            (hash, _) = await ContentHasher.ComputeAsync(hashed, cancellationToken);
        }

        await using var stream = file.OpenReadStream();
        string sourcePath;
        try
        {
            sourcePath = replacement.CreateOnly
                ? await dropBox.CreateAsync(folder, file.FileName, stream, cancellationToken)
                : await dropBox.SaveAsync(folder, file.FileName, stream, cancellationToken);
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem);
        }
        catch (DocumentExistsException taken)
        {
            // A concurrent upload of the same new name won the create-only write.
            return UploadReplacement.Taken(await catalog.GetAsync(DocumentIds.FromSourcePath(taken.SourcePath), cancellationToken), taken.SourcePath);
        }

        var id = DocumentIds.FromSourcePath(sourcePath);
        var readers = DocumentAccess.ReadersOf(sourcePath);
        var accepted = TypedResults.Accepted($"/api/documents/{id}", new DocumentAccepted(
            id, sourcePath, "queued", visibility.ToString().ToLowerInvariant(), readers.OwnerIds, readers.GroupIds, Replaced: existing is not null));
        return new WithHeaders(accepted, new Dictionary<string, string> { [HeaderNames.ETag] = UploadReplacement.ETagOf(hash) });
    }

    private static IEnumerable<string?> FieldOrQuery(HttpRequest request, IFormCollection form, string name) =>
        form.TryGetValue(name, out var field) && field.Count > 0 ? field : request.Query[name];

    /// <summary>401 without an identity, 403 without the writer role; null when the caller may write.</summary>
    private static IResult? Writer(HttpRequest request, ICallerIdentityResolver identity, IOptions<AuthOptions> auth)
    {
        if (identity.Resolve(request) is not { } caller)
        {
            return Unauthenticated();
        }

        var role = auth.Value.DocumentWriterRole;
        return DocumentAccess.IsWriter(caller, role)
            ? null
            : ProblemResults.From(new ForbiddenProblemException(
                $"Uploading, replacing and deleting documents needs the '{role}' role (RagFunctions:Auth:DocumentWriterRole): an Entra app role on Azure, 'token <user> --role {role}' locally."));
    }

    internal static IResult Unauthenticated() =>
        ProblemResults.Unauthorized("Documents and search need a signed-in user: a bearer token, or App Service Authentication.");

    /// <summary><c>GET /api/documents?status=&amp;limit=&amp;continuationToken=</c>: the documents the caller may read, most recently
    /// queued first, with status, chunk count, hash, timings and readers; paged.</summary>
    public static async Task<IResult> ListAsync(
        HttpRequest request, [FromServices] IDocumentCatalog catalog, [FromServices] ICallerIdentityResolver identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        if (identity.Resolve(request) is not { } caller)
        {
            return Unauthenticated();
        }

        DocumentStatus? status = null;
        var statusText = request.Query["status"].ToString();
        if (statusText.Length > 0)
        {
            if (!Enum.TryParse<DocumentStatus>(statusText, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed) || int.TryParse(statusText, out _))
            {
                return ProblemResults.Validation("status", "'status' must be one of queued, extracting, embedding, indexed, failed.");
            }

            status = parsed;
        }

        var limit = DocumentListing.DefaultLimit;
        if (request.Query.TryGetValue("limit", out var limitText)
            && (!int.TryParse(limitText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > DocumentListing.MaxLimit))
        {
            return ProblemResults.Validation("limit", $"'limit' must be a whole number from 1 to {DocumentListing.MaxLimit}.");
        }

        // The token is bound to the caller and the filter, so a token from another user or query is a 400.
        var query = $"documents|{caller.UserId}|{status}";
        try
        {
            var after = ContinuationTokens.Unwrap(request.Query["continuationToken"].ToString(), query);
            var page = DocumentListing.Page(await catalog.ListAsync(cancellationToken), caller, status, limit, after);
            return TypedResults.Ok(new DocumentListResponse(page.Documents, ContinuationTokens.Wrap(page.After, query)));
        }
        catch (ProblemException problem)
        {
            return ProblemResults.From(problem);
        }
    }

    /// <summary><c>GET /api/documents/{id}</c>: 404 for a document the caller may not read.</summary>
    public static async Task<IResult> GetAsync(
        string id, HttpRequest request, [FromServices] IDocumentCatalog catalog, [FromServices] ICallerIdentityResolver identity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        if (identity.Resolve(request) is not { } caller)
        {
            return Unauthenticated();
        }

        // The ETag is the content hash, the value a client sends back in If-Match to replace exactly this content.
        return await ReadableAsync(id, caller, catalog, cancellationToken) is { } record
            ? new WithHeaders(TypedResults.Ok(record), new Dictionary<string, string> { [HeaderNames.ETag] = UploadReplacement.ETagOf(record.ContentHash) })
            : ProblemResults.NotFound($"Document '{id}' does not exist.");
    }

    /// <summary><c>DELETE /api/documents/{id}</c>: removes the file, its chunks and its record; 204. 404 for a document the
    /// caller may not read, 403 without the writer role.</summary>
    public static async Task<IResult> DeleteAsync(
        string id, HttpRequest request, [FromServices] IDocumentCatalog catalog, [FromServices] IDocumentDropBox dropBox, [FromServices] IngestionIntake intake,
        [FromServices] ICallerIdentityResolver identity, [FromServices] IOptions<AuthOptions> auth, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(dropBox);
        ArgumentNullException.ThrowIfNull(intake);
        if (identity.Resolve(request) is not { } caller)
        {
            return Unauthenticated();
        }

        if (await ReadableAsync(id, caller, catalog, cancellationToken) is not { } record)
        {
            return ProblemResults.NotFound($"Document '{id}' does not exist.");
        }

        if (Writer(request, identity, auth) is { } refused)
        {
            return refused;
        }

        await dropBox.DeleteAsync(record.SourcePath, cancellationToken);
        await intake.RemoveAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<DocumentRecord?> ReadableAsync(string id, CallerIdentity caller, IDocumentCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } record && DocumentAccess.CanRead(caller, record.SourcePath) ? record : null;

    private static IResult TooLarge(long max) =>
        ProblemResults.From(new PayloadTooLargeProblemException($"The file is larger than the limit of {max} bytes (RagFunctions:Ingestion:MaxUploadBytes)."));
}

/// <summary>The multipart form of an upload: one file in the field <c>file</c>; optional <c>visibility</c> (private, shared, public),
/// <c>groups</c>, and <c>overwrite</c> (<c>true</c> replaces a document of the same name; without it or a matching <c>If-Match</c> that is a 409).</summary>
public sealed record DocumentUploadForm(IFormFile File, string? Visibility = null, string? Groups = null, string? Overwrite = null);

/// <summary>202 answer of an upload: poll <c>GET /api/documents/{id}</c> for the status.</summary>
/// <param name="Replaced">True when the upload replaced the document at this path (If-Match or overwrite=true); the
/// response's <c>ETag</c> header is the new content's.</param>
public sealed record DocumentAccepted(string Id, string SourcePath, string Status, string Visibility, IReadOnlyList<string> OwnerIds, IReadOnlyList<string> GroupIds, bool Replaced = false);

/// <summary><c>GET /api/documents</c>: one page of the documents the caller may read.</summary>
public sealed record DocumentListResponse(IReadOnlyList<DocumentRecord> Documents, string? ContinuationToken = null);
