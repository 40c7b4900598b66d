using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace RagFunctions.Local.Tests.Identity;

/// <summary>Builds tokens by hand (so tests can craft hostile ones the issuer would never produce).</summary>
internal static class JwtTestTokens
{
    public static readonly byte[] Key = Encoding.UTF8.GetBytes("test-signing-key-with-at-least-32-bytes!");
    /// <summary>Lifetime is validated against the system clock (IdentityModel's), so test tokens are dated from it.</summary>
    public static long NowSeconds => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public const string Issuer = "ragfunctions-local";
    public const string Audience = "ragfunctions";

    public static string B64(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));

    public static string Sign(string headerPart, string payloadPart, byte[]? key = null) =>
        Base64Url.EncodeToString(HMACSHA256.HashData(key ?? Key, Encoding.ASCII.GetBytes(headerPart + "." + payloadPart)));

    public static string Token(string headerJson, string payloadJson, byte[]? key = null)
    {
        var header = B64(headerJson);
        var payload = B64(payloadJson);
        return header + "." + payload + "." + Sign(header, payload, key);
    }

    public static string Payload(string? extra = null, long? exp = null, string iss = Issuer, string aud = "\"" + Audience + "\"") =>
        $"{{\"sub\":\"alice\",\"name\":\"Alice\",\"groups\":[\"g1\",\"g2\"],\"iat\":{NowSeconds - 10},\"exp\":{exp ?? NowSeconds + 3600},\"iss\":\"{iss}\",\"aud\":{aud}{extra}}}";

    public const string Header = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
}
