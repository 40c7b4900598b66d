using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Identity;

/// <summary>
/// <c>Authorization: Bearer</c> tokens through ASP.NET Core's JwtBearer handler and Microsoft.IdentityModel's
/// <see cref="JsonWebTokenHandler"/>: HS256 only, issuer, audience and lifetime validated with a small clock skew, claim
/// names kept as sent (<c>MapInboundClaims = false</c>). The handler authenticates every request (the host calls
/// <c>UseAuthentication</c>); <see cref="CallerIdentityResolver"/> turns a successful result into a <see cref="CallerIdentity"/>
/// and a failure is kept as a <see cref="BearerTokenFailure"/> so the 401 can say why (expired vs invalid).
/// </summary>
public static class BearerTokenAuthentication
{
    public const string Scheme = JwtBearerDefaults.AuthenticationScheme;

    /// <summary>Only HMAC-SHA256: <c>none</c>, RS256 (key confusion), HS384/HS512 are refused before the signature is checked.</summary>
    public const string Algorithm = SecurityAlgorithms.HmacSha256;

    /// <summary>Longer tokens are refused before decoding (our tokens are well under 1 KB).</summary>
    public const int MaxTokenBytes = 8 * 1024;

    /// <summary>Claim names as issued (no inbound mapping): the subject is the user id; <c>groups</c> and <c>roles</c> may repeat.</summary>
    public const string SubjectClaim = "sub";
    public const string NameClaim = "name";
    public const string GroupsClaim = "groups";
    public const string RolesClaim = "roles";

    /// <summary>Registers the JwtBearer scheme as the default authentication scheme, configured from
    /// <c>RagFunctions:Auth:Jwt</c> and the <see cref="IJwtSigningKeyProvider"/>. Without a key every bearer token fails.</summary>
    public static IServiceCollection AddBearerTokenAuthentication(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddAuthentication(Scheme).AddJwtBearer(Scheme, _ => { });
        services.AddOptions<JwtBearerOptions>(Scheme)
            .Configure<IOptions<AuthOptions>, IJwtSigningKeyProvider>((options, auth, keys) => Configure(options, auth.Value.Jwt, keys.GetSigningKey()));
        return services;
    }

    /// <summary>The validation rules (also used by tests and the token command to prove minted tokens pass).</summary>
    /// <remarks>Lifetime is checked against the system clock: IdentityModel 8.23 keeps its TimeProvider hook internal.</remarks>
    public static TokenValidationParameters ValidationParameters(JwtAuthOptions jwt, byte[]? signingKey)
    {
        ArgumentNullException.ThrowIfNull(jwt);
        if (signingKey is not null)
        {
            JwtSigningKey.EnsureLongEnough(signingKey);
        }

        return new TokenValidationParameters
        {
            ValidIssuer = jwt.Issuer,
            ValidAudience = jwt.Audience,
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            // No key configured: an empty key list makes every token fail signature validation (bearer disabled).
            IssuerSigningKeys = signingKey is null ? [] : [new SymmetricSecurityKey([.. signingKey])],
            // Our tokens carry no kid; with one key, "all" is that key.
            TryAllIssuerSigningKeys = true,
            ValidAlgorithms = [Algorithm],
            // typ is optional (RFC 7519 §5.1); when present it must be JWT.
            TypeValidator = (type, token, _) => string.IsNullOrEmpty(type) || string.Equals(type, "JWT", StringComparison.OrdinalIgnoreCase)
                ? "JWT"
                : throw new SecurityTokenInvalidTypeException("typ must be JWT") { InvalidType = type },
            ClockSkew = TimeSpan.FromSeconds(Math.Clamp(jwt.ClockSkewSeconds, 0, 600)),
            NameClaimType = NameClaim,
            RoleClaimType = RolesClaim,
            AuthenticationType = Scheme,
        };
    }

    private static void Configure(JwtBearerOptions options, JwtAuthOptions jwt, byte[]? key)
    {
        options.MapInboundClaims = false;
        options.SaveToken = false;
        options.IncludeErrorDetails = true;
        options.TokenHandlers.Clear();
        options.TokenHandlers.Add(new JsonWebTokenHandler { MapInboundClaims = false, MaximumTokenSizeInBytes = MaxTokenBytes });
        options.TokenValidationParameters = ValidationParameters(jwt, key);
        options.Events = new JwtBearerEvents
        {
            OnAuthenticationFailed = context =>
            {
                context.HttpContext.Features.Set(BearerTokenFailure.From(context.Exception));
                return Task.CompletedTask;
            },
            OnTokenValidated = context =>
            {
                // The library checked signature, algorithm, issuer, audience and lifetime; the claims we rely on are ours to check.
                if ((CritProblem(context.SecurityToken) ?? ClaimProblem(context.Principal)) is { } problem)
                {
                    context.HttpContext.Features.Set(new BearerTokenFailure(BearerTokenFailureKind.Invalid, problem));
                    context.Fail(problem);
                }

                return Task.CompletedTask;
            },
        };
    }

    /// <summary>RFC 7515 §4.1.11: a recipient must reject a JWS whose <c>crit</c> names extensions it does not understand, and
    /// we understand none (IdentityModel leaves that check to the application).</summary>
    private static string? CritProblem(Microsoft.IdentityModel.Tokens.SecurityToken? token) =>
        token is JsonWebToken jwt && jwt.TryGetHeaderValue<object>("crit", out _)
            ? "The token's crit header names extensions this service does not support"
            : null;

    /// <summary>Null when the validated principal has what <see cref="ToIdentity"/> needs: one non-empty string <c>sub</c>,
    /// string <c>name</c>, and <c>groups</c>/<c>roles</c> made of non-empty strings.</summary>
    private static string? ClaimProblem(ClaimsPrincipal? principal)
    {
        var claims = principal?.Claims.ToList() ?? [];
        var subjects = claims.Where(c => c.Type == SubjectClaim).ToList();
        if (subjects.Count != 1 || subjects[0].ValueType != ClaimValueTypes.String || string.IsNullOrWhiteSpace(subjects[0].Value))
        {
            return "The token has no 'sub' claim (a single string is required)";
        }

        foreach (var claim in claims)
        {
            if (claim.Type is NameClaim or GroupsClaim or RolesClaim
                && (claim.ValueType != ClaimValueTypes.String || claim.Value.Length == 0))
            {
                return $"The token's '{claim.Type}' claim must be a string or an array of non-empty strings";
            }
        }

        return null;
    }

    /// <summary>The caller of a principal validated by this scheme.</summary>
    internal static CallerIdentity ToIdentity(ClaimsPrincipal principal)
    {
        var claims = principal.Claims.ToList();
        return new CallerIdentity(
            claims.First(c => c.Type == SubjectClaim).Value,
            claims.FirstOrDefault(c => c.Type == NameClaim)?.Value,
            [.. claims.Where(c => c.Type == GroupsClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal)],
            "bearer")
        {
            Roles = [.. claims.Where(c => c.Type == RolesClaim).Select(c => c.Value).Distinct(StringComparer.Ordinal)],
        };
    }
}
