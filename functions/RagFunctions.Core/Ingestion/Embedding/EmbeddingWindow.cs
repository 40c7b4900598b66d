using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Ingestion.Embedding;

/// <summary>What an embedder reads at once: <paramref name="MaxTokens"/> tokens of its own tokenizer (<paramref name="Tokens"/>),
/// special tokens and passage prefix excluded. An embedder with a fixed window answers <c>GetService(typeof(EmbeddingWindow))</c>
/// with it, and chunks are then sized in its tokens so that no chunk is cut short when embedded.</summary>
public sealed record EmbeddingWindow(ITokenCounter Tokens, int MaxTokens);
