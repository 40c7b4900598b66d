using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace RagFunctions.Api.Cors;

/// <summary>The API's CORS policy, from <c>RagFunctions:Cors:AllowedOrigins</c>. Hosts running ASP.NET Core middleware (the local host)
/// call <see cref="AddApiCors"/> and <see cref="UseApiCors"/>. On Azure the function app's platform CORS (<c>siteConfig.cors</c>, set by
/// infra/modules/functionapp.bicep from the azd value <c>AZURE_CORS_ALLOWED_ORIGINS</c>) answers instead: it runs in front of App Service
/// Authentication, so preflights (which carry no token) are answered before authentication would reject them, and the app must not add
/// its own headers on top (the platform would then send them twice; learn.microsoft.com/azure/azure-functions/functions-how-to-use-azure-function-app-settings#cors).</summary>
public static class CorsSetup
{
    public const string PolicyName = "RagFunctions.Api";

    /// <summary>Response headers a browser script may read: the created resource, back-off hints and usage limits, the auth challenge and
    /// the conversation version for a later If-Match.</summary>
    public static readonly string[] ExposedHeaders =
        ["Location", "Retry-After", "WWW-Authenticate", "Content-Disposition", "X-Correlation-Id", "ETag", "RateLimit", "RateLimit-Policy"];

    public static IServiceCollection AddApiCors(this IServiceCollection services, IConfiguration configuration)
    {
        var settings = configuration.GetSection(CorsSettings.Section).Get<CorsSettings>() ?? new CorsSettings();
        var origins = settings.NormalizedOrigins();
        services.AddOptions<CorsSettings>().Bind(configuration.GetSection(CorsSettings.Section));
        services.AddCors(o => o.AddPolicy(PolicyName, Build(origins)));
        return services;
    }

    /// <summary>Applies the policy to every route (before the endpoints, so 401/404 answers carry the headers too and the browser can read them).</summary>
    public static IApplicationBuilder UseApiCors(this IApplicationBuilder app) => app.UseCors(PolicyName);

    /// <summary>Bearer tokens travel in a header, not cookies, so credentials stay off; any request header (Authorization,
    /// Content-Type, Accept) and the API's methods are allowed; preflights are cached for ten minutes.</summary>
    internal static CorsPolicy Build(IReadOnlyList<string> origins)
    {
        var builder = new CorsPolicyBuilder()
            .WithMethods("GET", "POST", "PATCH", "PUT", "DELETE")
            .AllowAnyHeader()
            .WithExposedHeaders(ExposedHeaders)
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10));
        if (origins.Contains("*"))
        {
            builder.AllowAnyOrigin();
        }
        else
        {
            builder.WithOrigins([.. origins]);
        }

        return builder.Build();
    }
}
