using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace RagFunctions.Core.Limits;

public static class LimitsServiceCollectionExtensions
{
    /// <summary>Binds <c>RagFunctions:Limits</c> and registers the <see cref="UsageLimiter"/>. Needs an <see cref="IUsageLedger"/>
    /// (registered with the conversation store of each host).</summary>
    public static IServiceCollection AddUsageLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UsageLimitOptions>()
            .Bind(configuration.GetSection(UsageLimitOptions.Section))
            .Validate(o => o.MessagesPerHour >= 0 && o.ConversationsPerDay >= 0 && o.TokensPerDay >= 0, "RagFunctions:Limits values must be 0 (no limit) or positive.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddScoped<UsageLimiter>();
        return services;
    }
}
