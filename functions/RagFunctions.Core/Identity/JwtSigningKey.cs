using System.Text;

namespace RagFunctions.Core.Identity;

/// <summary>Supplies the HS256 key for bearer tokens; null when bearer tokens are not configured (they are then rejected).</summary>
public interface IJwtSigningKeyProvider
{
    byte[]? GetSigningKey();
}

/// <summary>Reads HS256 keys from configuration text and enforces the minimum size.</summary>
public static class JwtSigningKey
{
    /// <summary>HS256 keys shorter than the hash output (32 bytes) weaken HMAC (RFC 7518 §3.2); they are refused.</summary>
    public const int MinimumBytes = 32;

    /// <summary>Parses a configured key: <c>base64:&lt;standard base64&gt;</c> for random bytes, otherwise the UTF-8 bytes of the text.
    /// Throws <see cref="InvalidOperationException"/> when the key is malformed or shorter than <see cref="MinimumBytes"/>.</summary>
    public static byte[] Parse(string configured)
    {
        ArgumentNullException.ThrowIfNull(configured);
        byte[] key;
        if (configured.StartsWith("base64:", StringComparison.Ordinal))
        {
            try
            {
                key = Convert.FromBase64String(configured["base64:".Length..].Trim());
            }
            catch (FormatException ex)
            {
                throw new InvalidOperationException("The JWT signing key after 'base64:' is not valid base64.", ex);
            }
        }
        else
        {
            key = Encoding.UTF8.GetBytes(configured);
        }

        EnsureLongEnough(key);
        return key;
    }

    public static void EnsureLongEnough(ReadOnlySpan<byte> key)
    {
        if (key.Length < MinimumBytes)
        {
            throw new InvalidOperationException($"The JWT signing key has {key.Length} bytes; HS256 needs at least {MinimumBytes}.");
        }
    }
}
