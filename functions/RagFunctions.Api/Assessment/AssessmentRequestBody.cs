using System.Text.Json;
using Microsoft.AspNetCore.Http;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;

namespace RagFunctions.Api.Assessment;

/// <summary>Reads assessment request bodies with a size limit, so a huge upload is refused before it is buffered.</summary>
public static class AssessmentRequestBody
{
    /// <summary>The raw body, at most <see cref="AssessmentEventParser.MaxEventBytes"/>; throws <see cref="PayloadTooLargeProblemException"/> beyond.</summary>
    public static async Task<byte[]> ReadBytesAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var limit = AssessmentEventParser.MaxEventBytes;
        if (request.ContentLength > limit)
        {
            throw new PayloadTooLargeProblemException($"The body is larger than {limit} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new PayloadTooLargeProblemException($"The body is larger than {limit} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    /// <summary>The body as a JSON object; a missing, malformed or non-object body is a validation problem.</summary>
    public static async Task<JsonElement> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var bytes = await ReadBytesAsync(request, cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            throw new ValidationProblemException("body", "A JSON object body is required.");
        }

        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? document.RootElement.Clone()
                : throw new ValidationProblemException("body", "The body must be a JSON object.");
        }
        catch (JsonException ex)
        {
            throw new ValidationProblemException("body", $"Malformed JSON: {ex.Message}");
        }
    }
}
