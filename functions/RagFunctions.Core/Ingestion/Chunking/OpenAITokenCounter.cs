using Microsoft.ML.Tokenizers;

namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>Exact OpenAI token counts with Microsoft.ML.Tokenizers' tiktoken implementation and its bundled vocabularies
/// (<c>cl100k_base</c>: GPT-4, GPT-3.5, text-embedding-3; <c>o200k_base</c>: GPT-4o and later). Budgets in OpenAI tokens —
/// embedding batches, prompt and history windows — use this instead of an estimate.</summary>
public sealed class OpenAITokenCounter : ITokenCounter
{
    private static readonly Lazy<OpenAITokenCounter> Cl100kInstance = new(() => new OpenAITokenCounter(TiktokenTokenizer.CreateForEncoding("cl100k_base")));
    private static readonly Lazy<OpenAITokenCounter> O200kInstance = new(() => new OpenAITokenCounter(TiktokenTokenizer.CreateForEncoding("o200k_base")));

    private readonly Tokenizer _tokenizer;

    private OpenAITokenCounter(Tokenizer tokenizer) => _tokenizer = tokenizer;

    /// <summary><c>cl100k_base</c> (the encoding of text-embedding-3-* and GPT-4).</summary>
    public static OpenAITokenCounter Cl100k => Cl100kInstance.Value;

    /// <summary><c>o200k_base</c> (GPT-4o, GPT-4.1, o-series).</summary>
    public static OpenAITokenCounter O200k => O200kInstance.Value;

    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : _tokenizer.CountTokens(text);
}
