using Azure.Core;
using Azure.Identity;
using Microsoft.Extensions.Options;

namespace RagFunctions.Azure.Identity;

/// <summary>Which credential the process should use, decided from configuration and the environment alone.</summary>
/// <param name="UseManagedIdentity">True when running on Azure compute that exposes a managed identity endpoint.</param>
/// <param name="ClientId">User-assigned identity client id; null means system-assigned (or the developer's own sign-in).</param>
public sealed record CredentialPlan(bool UseManagedIdentity, string? ClientId);

/// <summary>
/// Supplies the one <see cref="TokenCredential"/> every Azure adapter shares (AI Search, OpenAI, Cosmos).
/// The credential is built on first use, so hosts and tests that never call Azure never construct one.
/// </summary>
public sealed class AzureCredentialFactory
{
    private readonly Lazy<TokenCredential> _credential;

    public AzureCredentialFactory(IOptions<AzureIdentityOptions> options)
        : this(() => Create(Plan(options.Value.ManagedIdentityClientId, Environment.GetEnvironmentVariable)))
    {
    }

    private AzureCredentialFactory(Func<TokenCredential> create) =>
        _credential = new Lazy<TokenCredential>(create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>A factory that hands out <paramref name="credential"/> (tests, or hosts that build their own).</summary>
    public static AzureCredentialFactory FromCredential(TokenCredential credential)
    {
        ArgumentNullException.ThrowIfNull(credential);
        return new AzureCredentialFactory(() => credential);
    }

    /// <summary>The shared credential; created on the first call.</summary>
    public TokenCredential GetCredential() => _credential.Value;

    /// <summary>
    /// Managed identity when the platform exposes its token endpoint (App Service / Functions set <c>IDENTITY_ENDPOINT</c>,
    /// older sandboxes <c>MSI_ENDPOINT</c>); otherwise a developer chain. Explicit configuration beats <c>AZURE_CLIENT_ID</c>,
    /// which the Bicep template also sets for the Functions host's own identity-based connections.
    /// </summary>
    public static CredentialPlan Plan(string? configuredClientId, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var clientId = FirstNonEmpty(configuredClientId, environment("AZURE_CLIENT_ID"));
        var onAzure = !string.IsNullOrWhiteSpace(environment("IDENTITY_ENDPOINT"))
            || !string.IsNullOrWhiteSpace(environment("MSI_ENDPOINT"));
        return new CredentialPlan(onAzure, clientId);
    }

    private static TokenCredential Create(CredentialPlan plan)
    {
        if (plan.UseManagedIdentity)
        {
            // Only the managed identity on Azure: a developer chain there would add probing latency and could pick up
            // unintended environment credentials.
            return new ManagedIdentityCredential(plan.ClientId is null
                ? ManagedIdentityId.SystemAssigned
                : ManagedIdentityId.FromUserAssignedClientId(plan.ClientId));
        }

        // Developers: az / azd / Visual Studio sign-ins. Interactive prompts are excluded so a headless run fails fast
        // instead of waiting on a browser.
        return new DefaultAzureCredential(new DefaultAzureCredentialOptions
        {
            ExcludeInteractiveBrowserCredential = true,
            ManagedIdentityClientId = plan.ClientId,
        });
    }

    private static string? FirstNonEmpty(params string?[] values) =>
        values.Select(v => v?.Trim()).FirstOrDefault(v => !string.IsNullOrEmpty(v));
}
