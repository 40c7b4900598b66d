using Microsoft.Azure.Cosmos;

namespace RagFunctions.Azure.History;

/// <summary>Bound from <c>RagFunctions:Cosmos</c>: where conversation history lives on Azure.</summary>
public sealed class CosmosOptions
{
    public const string Section = "RagFunctions:Cosmos";

    /// <summary>Account endpoint, e.g. <c>https://x.documents.azure.com:443/</c>. Empty means the host uses SQLite history.</summary>
    public string? Endpoint { get; set; }

    /// <summary>Account key for emulators and test servers only; on Azure leave empty so the registered <c>TokenCredential</c> (Entra ID) is used.</summary>
    public string? AccountKey { get; set; }

    public string Database { get; set; } = "ragfunctions";

    public string Container { get; set; } = "history";

    /// <summary>Create the database and container (partition key <c>/userId</c>, TTL on without default expiry) on first use. Off in production, where infrastructure creates them.</summary>
    public bool CreateIfMissing { get; set; }

    /// <summary>Write appended messages and the conversation update in one <c>TransactionalBatch</c>. Only test servers without batch support turn this off;
    /// the fallback writes the conversation first (ETag-checked) and then the messages, which is not atomic.</summary>
    public bool UseTransactionalBatch { get; set; } = true;

    /// <summary>Direct (TCP, default) or Gateway (HTTPS only; needed for emulators and test servers).</summary>
    public ConnectionMode ConnectionMode { get; set; } = ConnectionMode.Direct;

    /// <summary>Accept any server certificate (self-signed test servers). Test option only; never set it for a real account.</summary>
    public bool AllowInsecureServerCertificate { get; set; }
}
