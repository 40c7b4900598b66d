using Microsoft.Extensions.DependencyInjection.Extensions;
using RagFunctions.Api.Identity;
using RagFunctions.Core.Identity;

namespace RagFunctions.Local.Identity;

public static class LocalIdentitySetup
{
    /// <summary>Caller identity for the local host: <c>AddCallerIdentity</c> with the development key provider (generated,
    /// persisted key when none is configured) and bearer tokens through the JwtBearer handler (the host calls <c>UseAuthentication</c>).</summary>
    public static IServiceCollection AddLocalCallerIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Replace(ServiceDescriptor.Singleton<IJwtSigningKeyProvider, DevSigningKeyProvider>());
        services.AddCallerIdentity(configuration);
        services.AddBearerTokenAuthentication();
        return services;
    }
}
