using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace RagFunctions.Api.Identity;

/// <summary>
/// Every 401 problem+json gets <c>WWW-Authenticate</c> (RFC 7235 §3.1 requires it; RFC 6750 §3 defines the Bearer form):
/// <c>Bearer</c> when the request carried no token, <c>Bearer error="invalid_token", error_description="…"</c> when one was
/// refused, saying expired vs invalid; the problem's detail starts with the same description. Hooked into
/// <see cref="ProblemDetailsOptions.CustomizeProblemDetails"/>, which <c>TypedResults.Problem</c> runs through
/// <see cref="IProblemDetailsService"/>, so the typed results of every handler on both hosts get it without a change.
/// </summary>
public static class UnauthorizedChallenge
{
    public static IServiceCollection AddUnauthorizedChallenge(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails();
        services.AddOptions<ProblemDetailsOptions>().Configure(options =>
        {
            // Compose with customisations other features registered.
            var previous = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = context =>
            {
                previous?.Invoke(context);
                Apply(context);
            };
        });
        return services;
    }

    private static void Apply(ProblemDetailsContext context)
    {
        if (context.ProblemDetails.Status != StatusCodes.Status401Unauthorized)
        {
            return;
        }

        var failure = BearerTokenFailure.Of(context.HttpContext);
        context.HttpContext.Response.Headers.WWWAuthenticate = BearerTokenFailure.Challenge(failure);
        if (failure is not null)
        {
            context.ProblemDetails.Detail = $"{failure.Description}. {context.ProblemDetails.Detail}";
            if (failure.Kind == BearerTokenFailureKind.Expired)
            {
                context.ProblemDetails.Title = "The bearer token has expired.";
            }
        }
    }
}
