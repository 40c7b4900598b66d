using RagFunctions.Core.Ingestion.Chunking;

namespace RagFunctions.Core.Tests.Ingestion.Chunking;

public sealed class OpenAITokenCounterTests
{
    [Theory]
    // Reference counts from OpenAI's tiktoken: the cookbook's "How to count tokens" examples (cl100k_base).
    [InlineData("tiktoken is great!", 6)]
    [InlineData("antidisestablishmentarianism", 6)]
    [InlineData("", 0)]
    public void Cl100k_counts_match_tiktoken(string text, int expected)
    {
        Assert.Equal(expected, OpenAITokenCounter.Cl100k.CountTokens(text));
    }

    [Fact]
    public void O200k_is_available_and_differs_from_cl100k_where_the_vocabularies_do()
    {
        Assert.Equal(2, OpenAITokenCounter.O200k.CountTokens("hello world"));
        const string hindi = "नमस्ते दुनिया, आप कैसे हैं?";
        Assert.True(OpenAITokenCounter.O200k.CountTokens(hindi) < OpenAITokenCounter.Cl100k.CountTokens(hindi));
    }

    [Fact]
    public void The_estimator_it_replaces_over_counts_english_prose()
    {
        const string text = "The quick brown fox jumps over the lazy dog. Retrieval-augmented generation grounds answers in documents.";

        Assert.True(TokenEstimator.Instance.CountTokens(text) > OpenAITokenCounter.Cl100k.CountTokens(text));
    }
}
