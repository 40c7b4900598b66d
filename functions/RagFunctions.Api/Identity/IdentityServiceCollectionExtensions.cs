using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Core.Identity;

namespace RagFunctions.Api.Identity;

public static class IdentityServiceCollectionExtensions
{
    /// <summary>Registers <see cref="AuthOptions"/>, <see cref="ICallerIdentityResolver"/> and, unless a host registered its own,
    /// an <see cref="IJwtSigningKeyProvider"/> reading <c>RagFunctions:Auth:Jwt:SigningKey</c>.
    /// Bearer tokens additionally need <see cref="BearerTokenAuthentication.AddBearerTokenAuthentication"/> and the
    /// authentication middleware (the local host); behind Easy Auth they are not accepted.</summary>
    public static IServiceCollection AddCallerIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<AuthOptions>()
            .Bind(configuration.GetSection(AuthOptions.Section))
            .Validate(o => !string.IsNullOrEmpty(o.Jwt.Issuer) && !string.IsNullOrEmpty(o.Jwt.Audience) && o.Jwt.ClockSkewSeconds is >= 0 and <= 600,
                "RagFunctions:Auth:Jwt: Issuer and Audience are required; ClockSkewSeconds must be 0..600.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DocumentWriterRole), "RagFunctions:Auth:DocumentWriterRole must not be empty.");
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IJwtSigningKeyProvider, ConfiguredJwtSigningKeyProvider>();
        services.TryAddSingleton<ICallerIdentityResolver, CallerIdentityResolver>();
        services.AddUnauthorizedChallenge();
        return services;
    }
}
