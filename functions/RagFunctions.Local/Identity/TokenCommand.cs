using System.Globalization;
using System.Security.Claims;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RagFunctions.Api.Identity;
using RagFunctions.Local.Hosting;

namespace RagFunctions.Local.Identity;

/// <summary>
/// <c>token &lt;user&gt; [--name "Display Name"] [--groups g1,g2] [--role documents.write]… [--hours 8]</c>: prints a development
/// bearer token signed (HS256, <see cref="JsonWebTokenHandler"/>) with the key, issuer and audience the host uses (same
/// configuration sources: appsettings, environment), then exits. <c>--role</c> repeats; roles go into the <c>roles</c> claim.
/// </summary>
public static class TokenCommand
{
    public const string Usage = "usage: token <user> [--name \"Display Name\"] [--groups g1,g2] [--role documents.write]... [--hours 8]";

    /// <summary>Runs the command when <paramref name="args"/> start with <c>token</c>; returns false (and does nothing) otherwise.</summary>
    public static bool TryRun(string[] args, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(args);
        exitCode = 0;
        if (args.Length == 0 || args[0] != "token")
        {
            return false;
        }

        if (!TryParse(args.AsSpan(1), out var request, out var error))
        {
            Console.Error.WriteLine(error);
            Console.Error.WriteLine(Usage);
            exitCode = 2;
            return true;
        }

        // The same configuration pipeline as the host (without the command's own arguments).
        var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] }).Configuration;
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var host = configuration.GetSection(LocalHostOptions.Section).Get<LocalHostOptions>() ?? new LocalHostOptions();
        try
        {
            Console.Out.WriteLine(Mint(auth, host, request, TimeProvider.System));
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            exitCode = 1;
        }

        return true;
    }

    /// <summary>What to put in the token.</summary>
    public sealed record TokenRequest(string Subject, string? Name, IReadOnlyList<string> Groups, TimeSpan Lifetime)
    {
        public IReadOnlyList<string> Roles { get; init; } = [];
    }

    public static string Mint(AuthOptions auth, LocalHostOptions host, TokenRequest request, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(timeProvider);
        var key = new DevSigningKeyProvider(Options.Create(auth), Options.Create(host)).GetSigningKey()!;
        var now = timeProvider.GetUtcNow().UtcDateTime;
        var claims = new List<Claim> { new(BearerTokenAuthentication.SubjectClaim, request.Subject) };
        if (!string.IsNullOrEmpty(request.Name))
        {
            claims.Add(new Claim(BearerTokenAuthentication.NameClaim, request.Name));
        }

        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = auth.Jwt.Issuer,
            Audience = auth.Jwt.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now + request.Lifetime,
            Subject = new ClaimsIdentity(claims),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(key), BearerTokenAuthentication.Algorithm),
        };

        // Always arrays, so a single group or role reads the same as several.
        descriptor.Claims = new Dictionary<string, object>(StringComparer.Ordinal);
        if (request.Groups.Count > 0)
        {
            descriptor.Claims[BearerTokenAuthentication.GroupsClaim] = request.Groups.ToArray();
        }

        if (request.Roles.Count > 0)
        {
            descriptor.Claims[BearerTokenAuthentication.RolesClaim] = request.Roles.ToArray();
        }

        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    public static bool TryParse(ReadOnlySpan<string> args, out TokenRequest request, out string? error)
    {
        request = new TokenRequest("", null, [], TimeSpan.FromHours(8));
        error = null;
        if (args.Length == 0 || args[0].StartsWith("--", StringComparison.Ordinal) || string.IsNullOrWhiteSpace(args[0]))
        {
            error = "missing user id";
            return false;
        }

        var subject = args[0];
        string? name = null;
        IReadOnlyList<string> groups = [];
        var roles = new List<string>();
        var hours = 8.0;
        for (var i = 1; i < args.Length; i++)
        {
            if (i + 1 >= args.Length)
            {
                error = $"missing value for {args[i]}";
                return false;
            }

            switch (args[i])
            {
                case "--name":
                    name = args[++i];
                    break;
                case "--groups":
                    groups = args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--role":
                case "--roles":
                    foreach (var role in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!roles.Contains(role, StringComparer.Ordinal))
                        {
                            roles.Add(role);
                        }
                    }

                    break;
                case "--hours":
                    if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out hours) || hours <= 0 || hours > 24 * 365)
                    {
                        error = "--hours must be a positive number of hours (at most a year)";
                        return false;
                    }

                    break;
                default:
                    error = $"unknown option {args[i]}";
                    return false;
            }
        }

        request = new TokenRequest(subject, name, groups, TimeSpan.FromHours(hours)) { Roles = roles };
        return true;
    }
}
