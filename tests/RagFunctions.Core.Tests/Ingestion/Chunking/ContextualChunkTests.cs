using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Embedding;
using RagFunctions.Core.Ingestion.Extraction;
using static RagFunctions.Core.Tests.Ingestion.Chunking.ChunkerTestData;

namespace RagFunctions.Core.Tests.Ingestion.Chunking;

public sealed class ContextualChunkTests
{
    [Fact]
    public void A_title_whose_body_does_not_fit_beside_it_is_not_a_chunk_of_its_own()
    {
        // The shape that produced 5 % title-only chunks: a heading, then one paragraph larger than the budget.
        // No sentence ends: the first piece of the body fills the whole budget, so the heading cannot share a chunk with it.
        var body = string.Join(' ', Enumerable.Repeat("catalogue classification schedules", 120));
        var document = new ExtractedDocument("Relevance Predictability", [
            new TextBlock("Relevance Predictability", BlockKind.Heading, null, "Relevance Predictability"),
            new TextBlock(body, BlockKind.Paragraph, null, "Relevance Predictability"),
            new TextBlock("Methods", BlockKind.Heading, null, "Methods"),
            new TextBlock(string.Join(' ', Enumerable.Repeat("sampling survey method", 120)), BlockKind.Paragraph, null, "Methods"),
        ]);

        var chunks = Chunker(128, 16).Chunk(Source, document);

        Assert.True(chunks.Count > 2);
        Assert.All(chunks, c => Assert.NotEqual(c.Heading, c.Content.Trim()));
        Assert.DoesNotContain(chunks, c => c.Content.Trim() is "Relevance Predictability" or "Methods");
        Assert.StartsWith("catalogue", chunks[0].Content, StringComparison.Ordinal);
        Assert.StartsWith("Relevance Predictability\n\ncatalogue", ChunkContext.Contextualise(chunks[0]), StringComparison.Ordinal);
        Assert.All(chunks, c => Assert.Contains(' ', c.Content.Trim()));
        // Ordinals stay dense and every body sentence is still covered.
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
        Assert.Contains(chunks, c => c.Heading == "Methods");
    }

    [Fact]
    public void A_document_that_is_only_a_heading_keeps_it()
    {
        var document = new ExtractedDocument("Only", [new TextBlock("Only", BlockKind.Heading, null, "Only")]);

        Assert.Equal("Only", Assert.Single(Chunker().Chunk(Source, document)).Content);
    }

    [Fact]
    public void The_context_prefix_is_title_and_heading_and_never_repeats_what_the_text_starts_with()
    {
        Assert.Equal("Guide › Install\n\nRun the installer.", ChunkContext.Contextualise("Guide", "Install", "Run the installer."));
        Assert.Equal("Guide\n\nInstall\n\nRun it.", ChunkContext.Contextualise("Guide", "Install", "Install\n\nRun it."));
        Assert.Equal("Guide\n\nRun it.", ChunkContext.Contextualise("Guide", "Guide", "Run it."));
        Assert.Equal("Run it.", ChunkContext.Contextualise(null, null, "Run it."));
    }

    [Fact]
    public void The_chunk_text_stays_clean_and_the_context_is_only_in_what_is_embedded_and_indexed()
    {
        var document = new ExtractedDocument("Handbook", [
            new TextBlock("Leave", BlockKind.Heading, null, "Leave"),
            new TextBlock(Paragraph(new Random(5), 200), BlockKind.Paragraph, null, "Leave"),
        ]);

        var chunks = Chunker(128, 16).Chunk(Source, document);
        var later = chunks[^1];

        Assert.DoesNotContain("Handbook", later.Content, StringComparison.Ordinal);
        Assert.StartsWith("Handbook › Leave\n\n", ChunkContext.Contextualise(later), StringComparison.Ordinal);
    }

    [Fact]
    public void With_an_embedding_window_chunks_are_counted_in_the_models_tokens_and_capped_at_its_window()
    {
        // A "model" whose tokens are characters and which reads 100 of them: every chunk must fit, whatever MaxTokens says.
        var window = new EmbeddingWindow(new CharacterCounter(), 100);
        var chunker = new StructuredChunker(TokenEstimator.Instance, Microsoft.Extensions.Options.Options.Create(new ChunkingOptions { MaxTokens = 512, OverlapTokens = 64 }), window);
        var document = new ExtractedDocument("t", [new TextBlock(Paragraph(new Random(9), 300), BlockKind.Paragraph)]);

        var chunks = chunker.Chunk(Source, document);

        Assert.Equal(100, chunker.MaxTokens);
        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.InRange(c.Content.Length, 1, 100));
        Assert.All(chunks, c => Assert.Equal(c.Content.Length, c.TokenCount));
    }

    private sealed class CharacterCounter : ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text) => text.Length;
    }
}
