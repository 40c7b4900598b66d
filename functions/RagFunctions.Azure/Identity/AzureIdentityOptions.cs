namespace RagFunctions.Azure.Identity;

/// <summary>Bound from <c>RagFunctions:Identity</c>: which managed identity the Azure SDK clients use.</summary>
public sealed class AzureIdentityOptions
{
    public const string Section = "RagFunctions:Identity";

    /// <summary>Client id of a user-assigned managed identity; empty falls back to <c>AZURE_CLIENT_ID</c>, then to the system-assigned identity.</summary>
    public string? ManagedIdentityClientId { get; set; }
}
