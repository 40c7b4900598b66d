using Microsoft.Extensions.AI;

namespace RagFunctions.Core.Chat;

/// <summary>Creates the <see cref="IChatClient"/> for one model of the fallback chain (an Azure OpenAI deployment name or an OpenAI-compatible model id).</summary>
/// <remarks>Implementations cache clients per name; callers do not dispose what they get.</remarks>
public interface IChatClientFactory
{
    /// <summary>The client that sends requests to <paramref name="modelName"/>.</summary>
    IChatClient Create(string modelName);
}
