using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Identity;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Identity;

/// <summary>
/// The configured <c>RagFunctions:Auth:Jwt:SigningKey</c> when set; otherwise a random 256-bit development key generated once
/// and kept in <c>&lt;DataDirectory&gt;/dev-signing.key</c> (base64, owner-only on Unix), so tokens minted by the
/// <c>token</c> command stay valid across restarts. Keys shorter than 32 bytes are refused.
/// </summary>
public sealed class DevSigningKeyProvider(IOptions<AuthOptions> authOptions, IOptions<LocalHostOptions> hostOptions) : IJwtSigningKeyProvider
{
    public const string FileName = "dev-signing.key";

    private readonly Lazy<byte[]> _key = new(() => Load(authOptions.Value, hostOptions.Value));

    public string KeyFilePath => Path.GetFullPath(Path.Combine(hostOptions.Value.DataDirectory, FileName));

    public byte[]? GetSigningKey() => _key.Value;

    private static byte[] Load(AuthOptions auth, LocalHostOptions host)
    {
        if (!string.IsNullOrEmpty(auth.Jwt.SigningKey))
        {
            return JwtSigningKey.Parse(auth.Jwt.SigningKey);
        }

        var path = Path.GetFullPath(Path.Combine(host.DataDirectory, FileName));
        if (!File.Exists(path))
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var temporary = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
            File.WriteAllText(temporary, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }

            try
            {
                // No overwrite: when two processes race, the first key written wins and both read it below.
                File.Move(temporary, path, overwrite: false);
            }
            catch (IOException) when (File.Exists(path))
            {
                File.Delete(temporary);
            }
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(File.ReadAllText(path).Trim());
        }
        catch (FormatException ex)
        {
            throw new InvalidOperationException($"The development signing key file '{path}' is not valid base64; delete it to generate a new one.", ex);
        }

        JwtSigningKey.EnsureLongEnough(key);
        return key;
    }
}
