using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace RagFunctions.Core.Identity;

/// <summary>What a token must satisfy: issuer, audience, key and clock tolerance.</summary>
public sealed record JwtValidationParameters(string Issuer, string Audience, byte[] SigningKey)
{
    /// <summary>Tolerance for clock differences on <c>exp</c>, <c>nbf</c> and <c>iat</c>.</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Longer tokens are rejected before any decoding.</summary>
    public int MaxTokenLength { get; init; } = 8 * 1024;
}

/// <summary>Outcome of a validation: an identity, or the reason it was refused (for logs; never shown to callers verbatim).</summary>
public sealed record JwtValidationResult(CallerIdentity? Identity, string? FailureReason)
{
    public bool IsValid => Identity is not null;

    public static JwtValidationResult Fail(string reason) => new(null, reason);
}

/// <summary>
/// A deliberately small and strict validator for compact JWS tokens signed with HMAC-SHA256 (there is no usable JWT
/// library on this feed). Rules: exactly three base64url parts in canonical form (no padding, no stray bits); header a
/// JSON object with <c>alg</c> exactly <c>HS256</c> (so <c>none</c>, RS256, HS512 … are refused), optional <c>typ</c>
/// <c>JWT</c>, no <c>crit</c>, no duplicate members; signature compared in constant time before the payload is read;
/// payload a JSON object with <c>exp</c> (required), <c>nbf</c>/<c>iat</c> (optional) as NumericDate checked with the clock
/// skew, <c>iss</c> equal to the expected issuer, <c>aud</c> (string or array) containing the expected audience, and a
/// non-empty string <c>sub</c>. <c>name</c> and <c>groups</c> (array of strings) are optional. Never throws on bad input.
/// </summary>
public sealed class Hs256JwtValidator
{
    private readonly JwtValidationParameters _parameters;
    private readonly TimeProvider _timeProvider;

    public Hs256JwtValidator(JwtValidationParameters parameters, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(timeProvider);
        JwtSigningKey.EnsureLongEnough(parameters.SigningKey);
        _parameters = parameters with { SigningKey = [.. parameters.SigningKey] };
        _timeProvider = timeProvider;
    }

    public JwtValidationResult Validate(string? token)
    {
        if (string.IsNullOrEmpty(token))
        {
            return JwtValidationResult.Fail("token is empty");
        }

        if (token.Length > _parameters.MaxTokenLength)
        {
            return JwtValidationResult.Fail("token is too long");
        }

        var firstDot = token.IndexOf('.', StringComparison.Ordinal);
        var secondDot = firstDot < 0 ? -1 : token.IndexOf('.', firstDot + 1);
        if (firstDot <= 0 || secondDot <= firstDot + 1 || secondDot == token.Length - 1 || token.IndexOf('.', secondDot + 1) >= 0)
        {
            return JwtValidationResult.Fail("token must have three non-empty parts");
        }

        var headerPart = token.AsSpan(0, firstDot);
        var payloadPart = token.AsSpan(firstDot + 1, secondDot - firstDot - 1);
        var signaturePart = token.AsSpan(secondDot + 1);
        if (!TryDecode(headerPart, out var headerBytes) || !TryDecode(payloadPart, out var payloadBytes) || !TryDecode(signaturePart, out var signature))
        {
            return JwtValidationResult.Fail("malformed base64url");
        }

        // JsonDocument checks UTF-8 only lazily (when a string is read), so refuse invalid bytes up front.
        if (!System.Text.Unicode.Utf8.IsValid(headerBytes) || !System.Text.Unicode.Utf8.IsValid(payloadBytes))
        {
            return JwtValidationResult.Fail("header or payload is not valid UTF-8 JSON");
        }

        var headerFailure = CheckHeader(headerBytes);
        if (headerFailure is not null)
        {
            return JwtValidationResult.Fail(headerFailure);
        }

        // The signature covers the ASCII of "header.payload" exactly as sent.
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(_parameters.SigningKey, Encoding.ASCII.GetBytes(token, 0, secondDot), expected);
        if (signature.Length != expected.Length || !CryptographicOperations.FixedTimeEquals(signature, expected))
        {
            return JwtValidationResult.Fail("signature mismatch");
        }

        return ReadPayload(payloadBytes);
    }

    private static string? CheckHeader(byte[] headerBytes)
    {
        try
        {
            using var header = JsonDocument.Parse(headerBytes);
            if (header.RootElement.ValueKind != JsonValueKind.Object || HasDuplicateMembers(header.RootElement))
            {
                return "header is not a JSON object with unique members";
            }

            if (!header.RootElement.TryGetProperty("alg", out var alg) || alg.ValueKind != JsonValueKind.String || alg.GetString() != "HS256")
            {
                return "alg must be HS256";
            }

            if (header.RootElement.TryGetProperty("crit", out _))
            {
                return "crit header is not supported";
            }

            if (header.RootElement.TryGetProperty("typ", out var typ)
                && (typ.ValueKind != JsonValueKind.String || !string.Equals(typ.GetString(), "JWT", StringComparison.OrdinalIgnoreCase)))
            {
                return "typ must be JWT";
            }

            return null;
        }
        catch (JsonException)
        {
            return "header is not valid JSON";
        }
    }

    private JwtValidationResult ReadPayload(byte[] payloadBytes)
    {
        try
        {
            using var payload = JsonDocument.Parse(payloadBytes);
            var root = payload.RootElement;
            if (root.ValueKind != JsonValueKind.Object || HasDuplicateMembers(root))
            {
                return JwtValidationResult.Fail("payload is not a JSON object with unique members");
            }

            var now = _timeProvider.GetUtcNow().ToUnixTimeMilliseconds() / 1000.0;
            var skew = _parameters.ClockSkew.TotalSeconds;
            if (!TryGetNumericDate(root, "exp", required: true, out var exp))
            {
                return JwtValidationResult.Fail("exp is missing or not a number");
            }

            if (now >= exp + skew)
            {
                return JwtValidationResult.Fail("token has expired");
            }

            if (!TryGetNumericDate(root, "nbf", required: false, out var nbf))
            {
                return JwtValidationResult.Fail("nbf is not a number");
            }

            if (!double.IsNaN(nbf) && now + skew < nbf)
            {
                return JwtValidationResult.Fail("token is not valid yet");
            }

            if (!TryGetNumericDate(root, "iat", required: false, out var iat))
            {
                return JwtValidationResult.Fail("iat is not a number");
            }

            if (!double.IsNaN(iat) && now + skew < iat)
            {
                return JwtValidationResult.Fail("token was issued in the future");
            }

            if (!root.TryGetProperty("iss", out var iss) || iss.ValueKind != JsonValueKind.String || !string.Equals(iss.GetString(), _parameters.Issuer, StringComparison.Ordinal))
            {
                return JwtValidationResult.Fail("issuer does not match");
            }

            if (!AudienceMatches(root))
            {
                return JwtValidationResult.Fail("audience does not match");
            }

            if (!root.TryGetProperty("sub", out var sub) || sub.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(sub.GetString()))
            {
                return JwtValidationResult.Fail("sub is missing");
            }

            string? name = null;
            if (root.TryGetProperty("name", out var nameElement))
            {
                if (nameElement.ValueKind != JsonValueKind.String)
                {
                    return JwtValidationResult.Fail("name is not a string");
                }

                name = nameElement.GetString();
            }

            var groups = new List<string>();
            if (root.TryGetProperty("groups", out var groupsElement))
            {
                if (groupsElement.ValueKind != JsonValueKind.Array)
                {
                    return JwtValidationResult.Fail("groups is not an array");
                }

                foreach (var group in groupsElement.EnumerateArray())
                {
                    if (group.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(group.GetString()))
                    {
                        return JwtValidationResult.Fail("groups must contain non-empty strings");
                    }

                    groups.Add(group.GetString()!);
                }
            }

            return new JwtValidationResult(new CallerIdentity(sub.GetString()!, name, groups, "bearer"), null);
        }
        catch (JsonException)
        {
            return JwtValidationResult.Fail("payload is not valid JSON");
        }
    }

    private bool AudienceMatches(JsonElement root)
    {
        if (!root.TryGetProperty("aud", out var aud))
        {
            return false;
        }

        if (aud.ValueKind == JsonValueKind.String)
        {
            return string.Equals(aud.GetString(), _parameters.Audience, StringComparison.Ordinal);
        }

        if (aud.ValueKind != JsonValueKind.Array)
        {
            return false;
        }

        var found = false;
        foreach (var item in aud.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return false;
            }

            found |= string.Equals(item.GetString(), _parameters.Audience, StringComparison.Ordinal);
        }

        return found;
    }

    /// <summary>NaN when absent and optional; false when present but not a finite number (or absent and required).</summary>
    private static bool TryGetNumericDate(JsonElement root, string name, bool required, out double value)
    {
        value = double.NaN;
        if (!root.TryGetProperty(name, out var element))
        {
            return !required;
        }

        return element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out value) && double.IsFinite(value);
    }

    private static bool HasDuplicateMembers(JsonElement element)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            if (!names.Add(property.Name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Strict base64url: alphabet <c>A–Z a–z 0–9 - _</c> only, no padding, and canonical (unused trailing bits zero),
    /// so a token has exactly one spelling and a changed character always changes the bytes.</summary>
    internal static bool TryDecode(ReadOnlySpan<char> part, out byte[] bytes)
    {
        bytes = [];
        if (part.IsEmpty || part.Length % 4 == 1)
        {
            return false;
        }

        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        try
        {
            bytes = Base64Url.DecodeFromChars(part);
        }
        catch (FormatException)
        {
            return false;
        }

        return part.SequenceEqual(Base64Url.EncodeToString(bytes));
    }
}

/// <summary>Mints HS256 tokens the <see cref="Hs256JwtValidator"/> accepts (development tokens, service-to-service calls).</summary>
public sealed class Hs256JwtIssuer
{
    private readonly string _issuer;
    private readonly string _audience;
    private readonly byte[] _key;
    private readonly TimeProvider _timeProvider;

    public Hs256JwtIssuer(string issuer, string audience, byte[] signingKey, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrEmpty(issuer);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        ArgumentNullException.ThrowIfNull(signingKey);
        ArgumentNullException.ThrowIfNull(timeProvider);
        JwtSigningKey.EnsureLongEnough(signingKey);
        _issuer = issuer;
        _audience = audience;
        _key = [.. signingKey];
        _timeProvider = timeProvider;
    }

    /// <summary>A token for <paramref name="subject"/> valid from now for <paramref name="lifetime"/> (claims: sub, name, groups, iat, nbf, exp, iss, aud).</summary>
    public string Issue(string subject, TimeSpan lifetime, string? name = null, IEnumerable<string>? groups = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(subject);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(lifetime, TimeSpan.Zero);
        var now = _timeProvider.GetUtcNow().ToUnixTimeSeconds();
        var header = Base64Url.EncodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}"u8);

        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("sub", subject);
            if (!string.IsNullOrEmpty(name))
            {
                writer.WriteString("name", name);
            }

            var groupList = groups?.Where(g => !string.IsNullOrWhiteSpace(g)).ToList();
            if (groupList is { Count: > 0 })
            {
                writer.WriteStartArray("groups");
                foreach (var group in groupList)
                {
                    writer.WriteStringValue(group);
                }

                writer.WriteEndArray();
            }

            writer.WriteNumber("iat", now);
            writer.WriteNumber("nbf", now);
            writer.WriteNumber("exp", now + (long)Math.Ceiling(lifetime.TotalSeconds));
            writer.WriteString("iss", _issuer);
            writer.WriteString("aud", _audience);
            writer.WriteEndObject();
        }

        var signingInput = header + "." + Base64Url.EncodeToString(buffer.ToArray());
        var signature = HMACSHA256.HashData(_key, Encoding.ASCII.GetBytes(signingInput));
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
