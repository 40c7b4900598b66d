using System.Net.Mime;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using RagFunctions.Core.Common;

namespace RagFunctions.Api.Chat;

/// <summary>415: the body is not JSON.</summary>
public sealed class UnsupportedMediaTypeProblemException(string detail) : ProblemException(detail)
{
    public override string ProblemSlug => "unsupported-media-type";
    public override int StatusCode => StatusCodes.Status415UnsupportedMediaType;
    public override string Title => "Unsupported media type.";
}

/// <summary>Strict request JSON (unknown fields, trailing junk, wrong types and malformed text are field-level problems) and camelCase responses.</summary>
public static partial class ChatApiJson
{
    /// <summary>Requests: camelCase, unknown members rejected, no comments or trailing commas.</summary>
    public static JsonSerializerOptions Strict { get; } = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        ReadCommentHandling = JsonCommentHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>Responses: camelCase, nulls omitted.</summary>
    public static JsonSerializerOptions Output { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Reads and deserializes the JSON body; every way it can be wrong is a <see cref="ProblemException"/> and nothing has been written.</summary>
    public static async Task<T> ReadBodyAsync<T>(HttpRequest request, int maxBytes, CancellationToken cancellationToken) where T : class
    {
        if (!IsJson(request.ContentType))
        {
            throw new UnsupportedMediaTypeProblemException(
                $"The request body must be JSON (Content-Type: application/json); got '{request.ContentType ?? "none"}'.");
        }

        if (request.ContentLength > maxBytes)
        {
            throw new PayloadTooLargeProblemException($"The request body is larger than {maxBytes} bytes.");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw new PayloadTooLargeProblemException($"The request body is larger than {maxBytes} bytes.");
            }

            buffer.Write(chunk, 0, read);
        }

        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \t\r\n"u8).IsEmpty)
        {
            throw new ValidationProblemException("body", "A JSON body is required.");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(bytes.Span, Strict)
                ?? throw new ValidationProblemException("body", "The JSON body must be an object, not null.");
        }
        catch (JsonException ex)
        {
            throw ToProblem(ex);
        }
    }

    internal static bool IsJson(string? contentType)
    {
        if (string.IsNullOrWhiteSpace(contentType))
        {
            return false;
        }

        try
        {
            var mediaType = new ContentType(contentType).MediaType;
            return mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
                || mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase) && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    /// <summary>A field-level problem without .NET type names: unknown field, wrong type, or malformed text with its position.</summary>
    internal static ValidationProblemException ToProblem(JsonException ex)
    {
        var unknown = UnmappedProperty().Match(ex.Message);
        if (unknown.Success)
        {
            var name = unknown.Groups["name"].Value;
            var path = FieldName(ex.Path);
            var field = path == "body" ? name : path.EndsWith(name, StringComparison.Ordinal) ? path : $"{path}.{name}";
            return new ValidationProblemException(field, $"Unknown field '{name}'.");
        }

        if (ex.Message.Contains("could not be converted", StringComparison.Ordinal))
        {
            var field = FieldName(ex.Path);
            return new ValidationProblemException(field, $"'{field}' has the wrong type.");
        }

        return new ValidationProblemException("body",
            $"Malformed JSON at line {(ex.LineNumber ?? 0) + 1}, byte {(ex.BytePositionInLine ?? 0) + 1}.");
    }

    private static string FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    [GeneratedRegex(@"property '(?<name>[^']*)' could not be mapped", RegexOptions.CultureInvariant)]
    private static partial Regex UnmappedProperty();
}
