using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Identity;

/// <summary>
/// Easy Auth header first when <see cref="AuthOptions.TrustEasyAuthHeader"/> (otherwise the header is ignored, since any
/// client could send it), else <c>Authorization: Bearer</c> validated by <see cref="Hs256JwtValidator"/>.
/// </summary>
public sealed partial class CallerIdentityResolver : ICallerIdentityResolver
{
    private readonly AuthOptions _options;
    private readonly Lazy<Hs256JwtValidator?> _validator;
    private readonly ILogger _logger;

    public CallerIdentityResolver(
        IOptions<AuthOptions> options,
        IJwtSigningKeyProvider keyProvider,
        TimeProvider timeProvider,
        ILogger<CallerIdentityResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keyProvider);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _validator = new Lazy<Hs256JwtValidator?>(() =>
        {
            var key = keyProvider.GetSigningKey();
            return key is null
                ? null
                : new Hs256JwtValidator(
                    new JwtValidationParameters(_options.Jwt.Issuer, _options.Jwt.Audience, key)
                    {
                        ClockSkew = TimeSpan.FromSeconds(Math.Clamp(_options.Jwt.ClockSkewSeconds, 0, 600)),
                    },
                    timeProvider);
        });
    }

    public CallerIdentity? Resolve(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_options.TrustEasyAuthHeader && request.Headers.TryGetValue(EasyAuthPrincipalParser.HeaderName, out var principal))
        {
            if (principal.Count != 1)
            {
                Log.Rejected(_logger, "easyauth", "header repeated");
                return null;
            }

            var identity = EasyAuthPrincipalParser.Parse(principal[0], out var reason);
            if (identity is null)
            {
                Log.Rejected(_logger, "easyauth", reason ?? "invalid");
            }

            return identity;
        }

        var authorization = request.Headers.Authorization;
        if (authorization.Count == 0)
        {
            return null;
        }

        if (authorization.Count != 1 || authorization[0] is not { } value
            || !value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            Log.Rejected(_logger, "bearer", "not a single Bearer authorization header");
            return null;
        }

        var validator = _validator.Value;
        if (validator is null)
        {
            Log.Rejected(_logger, "bearer", "no signing key configured");
            return null;
        }

        var result = validator.Validate(value["Bearer ".Length..].Trim());
        if (!result.IsValid)
        {
            Log.Rejected(_logger, "bearer", result.FailureReason ?? "invalid");
        }

        return result.Identity;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Caller identity rejected ({Scheme}): {Reason}")]
        public static partial void Rejected(ILogger logger, string scheme, string reason);
    }
}

/// <summary>The signing key from <c>RagFunctions:Auth:Jwt:SigningKey</c>; null (bearer disabled) when not configured.</summary>
public sealed class ConfiguredJwtSigningKeyProvider(IOptions<AuthOptions> options) : IJwtSigningKeyProvider
{
    private readonly Lazy<byte[]?> _key = new(() =>
        string.IsNullOrEmpty(options.Value.Jwt.SigningKey) ? null : JwtSigningKey.Parse(options.Value.Jwt.SigningKey));

    public byte[]? GetSigningKey() => _key.Value;
}
