namespace RagFunctions.Azure.OpenAI;

/// <summary>Bound from <c>RagFunctions:OpenAI</c>. An empty <see cref="Endpoint"/> keeps the local embedder and extractive answerer.</summary>
public sealed class OpenAIOptions
{
    public const string Section = "RagFunctions:OpenAI";

    /// <summary><c>azure</c>: Entra ID token against <c>{Endpoint}/openai/v1/</c>. <c>compatible</c>: API key, endpoint used as given.</summary>
    public const string KindAzure = "azure";

    public const string KindCompatible = "compatible";

    /// <summary>Azure OpenAI resource URL (<c>https://x.openai.azure.com/</c>) or an OpenAI-compatible base URL (<c>http://localhost:11434/v1</c>).</summary>
    public string? Endpoint { get; set; }

    public string Kind { get; set; } = KindAzure;

    /// <summary>Only for <c>compatible</c> servers; Azure uses Entra ID, never a key.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Embedding deployment (Azure) or model id; empty keeps the local hashed embedder.</summary>
    public string? EmbeddingModel { get; set; }

    public bool IsAzure => string.Equals(Kind?.Trim(), KindAzure, StringComparison.OrdinalIgnoreCase);
}
