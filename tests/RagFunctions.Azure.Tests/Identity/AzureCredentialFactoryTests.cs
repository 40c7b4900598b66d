using RagFunctions.Azure.Identity;
using RagFunctions.Azure.Tests.Http;

namespace RagFunctions.Azure.Tests.Identity;

/// <summary>Only the decision is tested: constructing real credentials is kept out of tests (no IMDS, no CLI probing).</summary>
public sealed class AzureCredentialFactoryTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void On_azure_the_configured_client_id_wins_over_AZURE_CLIENT_ID()
    {
        var plan = AzureCredentialFactory.Plan("configured-id", Env(("IDENTITY_ENDPOINT", "http://localhost:8081/msi/token"), ("AZURE_CLIENT_ID", "env-id")));
        Assert.Equal(new CredentialPlan(UseManagedIdentity: true, ClientId: "configured-id"), plan);
    }

    [Fact]
    public void On_azure_without_configuration_AZURE_CLIENT_ID_is_used()
    {
        var plan = AzureCredentialFactory.Plan("  ", Env(("MSI_ENDPOINT", "http://127.0.0.1:41741/MSI/token/"), ("AZURE_CLIENT_ID", "env-id")));
        Assert.Equal(new CredentialPlan(true, "env-id"), plan);
    }

    [Fact]
    public void On_azure_with_no_client_id_the_system_assigned_identity_is_used()
    {
        Assert.Equal(new CredentialPlan(true, null), AzureCredentialFactory.Plan(null, Env(("IDENTITY_ENDPOINT", "http://x"))));
    }

    [Fact]
    public void Off_azure_the_developer_chain_is_planned()
    {
        Assert.Equal(new CredentialPlan(false, null), AzureCredentialFactory.Plan(null, Env()));
    }

    [Fact]
    public void A_given_credential_is_handed_out_as_is()
    {
        var credential = new FixedTokenCredential();
        Assert.Same(credential, AzureCredentialFactory.FromCredential(credential).GetCredential());
    }
}
