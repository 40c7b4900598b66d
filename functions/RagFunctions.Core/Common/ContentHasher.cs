using System.Security.Cryptography;

namespace RagFunctions.Core.Common;

/// <summary>Hashes a stream without loading it into memory.</summary>
public static class ContentHasher
{
    /// <summary>SHA-256 (lower-case hex) and length of the stream's remaining content.</summary>
    public static async Task<(string Hash, long Length)> ComputeAsync(Stream content, CancellationToken cancellationToken)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[81920];
        long length = 0;
        int read;
        while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
        {
            sha.AppendData(buffer, 0, read);
            length += read;
        }

        return (Convert.ToHexStringLower(sha.GetHashAndReset()), length);
    }
}
