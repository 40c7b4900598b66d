using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
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
        var group = app.MapGroup("/api/documents");
        group.MapPost("/", UploadAsync).DisableAntiforgery().WithName("UploadDocument");
        group.MapGet("/", ListAsync).WithName("ListDocuments");
        group.MapGet("/{id}", GetAsync).WithName("GetDocument");
        group.MapDelete("/{id}", DeleteAsync).WithName("DeleteDocument");
        return app;
    }

    /// <summary><c>POST /api/documents</c> (multipart, field <c>file</c>): stores the file where the trigger sees it; 202 with the document's URL.</summary>
    public static async Task<IResult> UploadAsync(
        HttpRequest request, IDocumentDropBox dropBox, IOptions<IngestionOptions> options, CancellationToken cancellationToken)
    {
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

        await using var stream = file.OpenReadStream();
        var sourcePath = await dropBox.SaveAsync(file.FileName, stream, cancellationToken);
        var id = DocumentIds.FromSourcePath(sourcePath);
        return TypedResults.Accepted($"/api/documents/{id}", new { id, sourcePath, status = "queued" });
    }

    /// <summary><c>GET /api/documents</c>: every document with status, chunk count, hash and timings.</summary>
    public static async Task<IResult> ListAsync(IDocumentCatalog catalog, CancellationToken cancellationToken) =>
        TypedResults.Ok(new { documents = await catalog.ListAsync(cancellationToken) });

    /// <summary><c>GET /api/documents/{id}</c>.</summary>
    public static async Task<IResult> GetAsync(string id, IDocumentCatalog catalog, CancellationToken cancellationToken) =>
        await catalog.GetAsync(id, cancellationToken) is { } record
            ? TypedResults.Ok(record)
            : ProblemResults.NotFound($"Document '{id}' does not exist.");

    /// <summary><c>DELETE /api/documents/{id}</c>: removes the file, its chunks and its record; 204.</summary>
    public static async Task<IResult> DeleteAsync(
        string id, IDocumentCatalog catalog, IDocumentDropBox dropBox, IngestionIntake intake, CancellationToken cancellationToken)
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
