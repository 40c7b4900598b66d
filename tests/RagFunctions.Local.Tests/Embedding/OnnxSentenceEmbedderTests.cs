using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Local.Embedding;

namespace RagFunctions.Local.Tests.Embedding;

public sealed class OnnxSentenceEmbedderTests
{
    private static readonly Lazy<OnnxSentenceEmbedder> MiniLm = new(() => new OnnxSentenceEmbedder(LocalEmbedderDefinition.MiniLm));
    private static readonly Lazy<OnnxSentenceEmbedder> Arctic = new(() => new OnnxSentenceEmbedder(LocalEmbedderDefinition.ArcticXs));

    private static async Task<float[]> EmbedAsync(OnnxSentenceEmbedder embedder, string text, bool query = false) =>
        (await embedder.GenerateAsync([text], query ? EmbeddingInput.ForQuery() : null))[0].Vector.ToArray();

    private static float Cosine(float[] a, float[] b) => TensorPrimitives.CosineSimilarity(a, b);

    [Fact]
    public async Task Vectors_are_unit_length_384_dimensions_and_a_paraphrase_is_closer_than_an_unrelated_sentence()
    {
        var question = await EmbedAsync(MiniLm.Value, "How do I reset my password?", query: true);
        var paraphrase = await EmbedAsync(MiniLm.Value, "Steps to recover a forgotten login credential.");
        var unrelated = await EmbedAsync(MiniLm.Value, "The annual rainfall in the Sahara is very low.");

        Assert.Equal(384, question.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(question), 3);
        Assert.True(Cosine(question, paraphrase) > Cosine(question, unrelated) + 0.1f);
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2", MiniLm.Value.Metadata.DefaultModelId);
    }

    [Fact]
    public async Task A_batch_gives_the_same_vectors_as_one_input_at_a_time()
    {
        string[] texts = ["short", "a somewhat longer sentence about libraries and catalogues", "tabs\tand\nlines"];

        var batch = await MiniLm.Value.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = await EmbedAsync(MiniLm.Value, texts[i]);
            Assert.True(Cosine(single, batch[i].Vector.ToArray()) > 0.9999f, $"input {i}");
        }
    }

    [Fact]
    public async Task Text_beyond_the_window_is_embedded_too_not_cut_off()
    {
        var window = MiniLm.Value.Window.MaxTokens;
        var head = string.Join(' ', Enumerable.Repeat("library catalogue classification", window));
        var tail = string.Join(' ', Enumerable.Repeat("volcano eruption lava", 40));

        var headOnly = await EmbedAsync(MiniLm.Value, head);
        var whole = await EmbedAsync(MiniLm.Value, head + " " + tail);
        var tailOnly = await EmbedAsync(MiniLm.Value, tail);

        Assert.True(MiniLm.Value.Tokens.CountTokens(head) >= window);
        // Truncation would make the two equal; pooling the windows moves the vector toward the tail's meaning.
        Assert.True(Cosine(whole, tailOnly) > Cosine(headOnly, tailOnly) + 0.02f);
    }

    [Fact]
    public void The_window_leaves_room_for_the_special_tokens()
    {
        Assert.Equal(254, MiniLm.Value.Window.MaxTokens);
        Assert.Equal(510, Arctic.Value.Window.MaxTokens);
        Assert.Same(MiniLm.Value.Window, MiniLm.Value.GetService<EmbeddingWindow>());
    }

    [Fact]
    public async Task Arctic_reads_queries_with_its_instruction_prefix_and_passages_without()
    {
        const string text = "history of the Dewey decimal classification";

        var asQuery = await EmbedAsync(Arctic.Value, text, query: true);
        var asPassage = await EmbedAsync(Arctic.Value, text);
        var prefixed = await EmbedAsync(Arctic.Value, LocalEmbedderDefinition.ArcticXs.QueryPrefix + text);

        Assert.True(Cosine(asQuery, prefixed) > 0.9999f);
        Assert.True(Cosine(asQuery, asPassage) < 0.99f);
    }
}
