using System.Buffers.Text;
using System.Text.Json;
using RagFunctions.Core.Common;

namespace RagFunctions.Api.Chat;

/// <summary>Wraps the store's continuation token in an envelope bound to the query it continues (e.g. the status filter),
/// so a garbled, forged-shape or foreign token is a 400 at the edge instead of an error deep in a store.</summary>
public static class ContinuationTokens
{
    private sealed record Envelope(int V, string Q, string T);

    public static string? Wrap(string? storeToken, string query) =>
        storeToken is null ? null : Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new Envelope(1, query, storeToken)));

    /// <summary>The store token, or null for the first page; a token that does not decode or belongs to another query → validation problem.</summary>
    public static string? Unwrap(string? token, string query, string field = "continuationToken")
    {
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }

        try
        {
            if (token.Length <= 4096)
            {
                var envelope = JsonSerializer.Deserialize<Envelope>(Base64Url.DecodeFromChars(token));
                if (envelope is { V: 1 } && envelope.Q == query && !string.IsNullOrEmpty(envelope.T))
                {
                    return envelope.T;
                }
            }
        }
        catch (Exception ex) when (ex is FormatException or JsonException or ArgumentException)
        {
            // Fall through to the one problem every bad token gets.
        }

        throw new ValidationProblemException(field, "The continuation token is invalid or belongs to a different query.");
    }
}
