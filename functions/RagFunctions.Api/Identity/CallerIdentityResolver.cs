using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Identity;

/// <summary>
/// Easy Auth header first when <see cref="AuthOptions.TrustEasyAuthHeader"/> (otherwise the header is ignored, since any
/// client could send it), else the result of the JwtBearer scheme (<see cref="BearerTokenAuthentication"/>), which the
/// host's authentication middleware ran for this request. A host without that middleware (the Functions app behind Easy
/// Auth) accepts no bearer tokens.
/// </summary>
public sealed partial class CallerIdentityResolver : ICallerIdentityResolver
{
    private readonly AuthOptions _options;
    private readonly ILogger _logger;

    public CallerIdentityResolver(IOptions<AuthOptions> options, ILogger<CallerIdentityResolver>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
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

        var result = request.HttpContext.Features.Get<IAuthenticateResultFeature>()?.AuthenticateResult;
        if (result is { Succeeded: true, Ticket.AuthenticationScheme: BearerTokenAuthentication.Scheme })
        {
            return BearerTokenAuthentication.ToIdentity(result.Principal);
        }

        if (BearerTokenFailure.Of(request.HttpContext) is { } failure)
        {
            Log.Rejected(_logger, "bearer", failure.Description);
        }

        return null;
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
