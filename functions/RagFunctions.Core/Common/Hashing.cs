using System.Security.Cryptography;
using System.Text;

namespace RagFunctions.Core.Common;

/// <summary>Stable, deterministic identifiers derived from content or names.</summary>
public static class StableIds
{
    /// <summary>Lower-case hex SHA-256 of the bytes.</summary>
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));

    /// <summary>Lower-case hex SHA-256 of the UTF-8 text.</summary>
    public static string Sha256Hex(string text) => Sha256Hex(Encoding.UTF8.GetBytes(text));

    /// <summary>First <paramref name="hexChars"/> hex characters of SHA-256 over the parts joined by a separator no part can contain.</summary>
    public static string ShortHash(int hexChars, params string[] parts) =>
        Sha256Hex(string.Join('\u001f', parts))[..hexChars];
}
