namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>Counts (or estimates) model tokens. Budgets everywhere (chunks, batches, prompts) use this one measure.</summary>
public interface ITokenCounter
{
    int CountTokens(ReadOnlySpan<char> text);
}
