using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using RagFunctions.Api.OpenApi;
using RagFunctions.Api.Problems;
using RagFunctions.Core.Common;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Ingestion.Catalog;

namespace RagFunctions.Api.Documents;

/// <summary>Document routes: upload, list, read, delete. Handlers are public so the Functions app calls the same code.</summary>
public static class DocumentsApi
{
    public static IEndpointRouteBuilder MapDocumentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/documents").WithTags("Documents");
        group.MapPost("", UploadAsync).DisableAntiforgery().WithName("UploadDocument")
            .Body<DocumentUploadForm>("multipart/form-data").Returns<DocumentAccepted>(StatusCodes.Status202Accepted).Problems(400, 413, 415);
        group.MapGet("", ListAsync).WithName("ListDocuments").Returns<DocumentListResponse>().Problems(400);
        group.MapGet("/{id}", GetAsync).WithName("GetDocument").Returns<DocumentRecord>().Problems(404);
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteDocument").Produces(StatusCodes.Status204NoContent).Problems(404);
        return app;
    }

    /// <summary><c>POST /api/documents</c> (multipart, field <c>file</c>): stores the file where the trigger sees it; 202 with the document's URL.</summary>
    public static async Task<IResult> UploadAsync(
        HttpRequest request, [FromServices] IDocumentDropBox dropBox, [FromServices] IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
        var max = options.Value.MaxUploadBytes;
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return ProblemResults.UnsupportedMediaType("Upload the document as multipart/form-data with a 'file' field.");
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
        catch (InvalidDataException)
        {
            return TooLarge(max);
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

        await using var stream = file.OpenReadStream();
        var sourcePath = await dropBox.SaveAsync(file.FileName, stream, cancellationToken);
        var id = DocumentIds.FromSourcePath(sourcePath);
        return TypedResults.Accepted($"/api/documents/{id}", new DocumentAccepted(id, sourcePath, "queued"));
    }

    /// <summary><c>GET /api/documents</c>: every document with status, chunk count, hash and timings.</summary>
    public static async Task<IResult> ListAsync([FromServices] IDocumentCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(new DocumentListResponse(await catalog.ListAsync(cancellationToken)));

    /// <summary><c>GET /api/documents/{id}</c>.</summary>
    public static async Task<IResult> GetAsync(string id, [FromServices] IDocumentCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } record
            ? TypedResults.Ok(record)
            : ProblemResults.NotFound($"Document '{id}' does not exist.");

    /// <summary><c>DELETE /api/documents/{id}</c>: removes the file, its chunks and its record; 204.</summary>
    public static async Task<IResult> DeleteAsync(
        string id, [FromServices] IDocumentCatalog catalog, [FromServices] IDocumentDropBox dropBox, [FromServices] IngestionIntake intake, CancellationToken cancellationToken)
    {
        if (await catalog.GetAsync(id, cancellationToken) is not { } record)
        {
            return ProblemResults.NotFound($"Document '{id}' does not exist.");
        }

        await dropBox.DeleteAsync(record.SourcePath, cancellationToken);
        await intake.RemoveAsync(id, cancellationToken);
        return TypedResults.NoContent();
    }

    private static IResult TooLarge(long max) =>
        ProblemResults.From(new PayloadTooLargeProblemException($"The file is larger than the limit of {max} bytes (RagFunctions:Ingestion:MaxUploadBytes)."));
}

/// <summary>The multipart form of an upload: one file in the field <c>file</c>.</summary>
public sealed record DocumentUploadForm(IFormFile File);

/// <summary>202 answer of an upload: poll <c>GET /api/documents/{id}</c> for the status.</summary>
public sealed record DocumentAccepted(string Id, string SourcePath, string Status);

/// <summary><c>GET /api/documents</c>.</summary>
public sealed record DocumentListResponse(IReadOnlyList<DocumentRecord> Documents, string? ContinuationToken = null);
