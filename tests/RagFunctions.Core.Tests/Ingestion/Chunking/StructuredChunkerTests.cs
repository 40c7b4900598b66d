using System.Text;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Extraction;
using static RagFunctions.Core.Tests.Ingestion.Chunking.ChunkerTestData;

namespace RagFunctions.Core.Tests.Ingestion.Chunking;

public sealed class StructuredChunkerTests
{
    [Fact]
    public void Empty_document_has_no_chunks()
    {
        Assert.Empty(Chunker().Chunk(Source, new ExtractedDocument("t", [])));
    }

    [Fact]
    public void Small_document_is_one_chunk_equal_to_the_full_text()
    {
        var document = new ExtractedDocument("Title", [
            new TextBlock("Intro", BlockKind.Heading, null, "Intro"),
            new TextBlock("First paragraph.", BlockKind.Paragraph, null, "Intro"),
            new TextBlock("Second paragraph.", BlockKind.Paragraph, null, "Intro"),
        ]);

        var chunk = Assert.Single(Chunker().Chunk(Source, document));

        Assert.Equal(document.FullText, chunk.Content);
        Assert.Equal("doc1-0", chunk.Id);
        Assert.Equal("Intro", chunk.Heading);
        Assert.Equal(0, chunk.StartOffset);
    }

    [Fact]
    public void A_long_block_is_split_at_sentence_ends_with_overlap_between_consecutive_chunks()
    {
        var random = new Random(7);
        var document = new ExtractedDocument("t", [new TextBlock(Paragraph(random, 300), BlockKind.Paragraph)]);

        var chunks = AssertInvariants(Chunker(128, 24), document, 128);

        Assert.True(chunks.Count > 5);
        var text = document.FullText;
        for (var i = 1; i < chunks.Count; i++)
        {
            var previous = chunks[i - 1];
            var current = chunks[i];
            Assert.True(current.StartOffset < previous.EndOffset, $"chunk {i} does not overlap chunk {i - 1}");
            Assert.True(
                char.IsWhiteSpace(text[current.StartOffset - 1]) || TextBoundaries.IsCjk(text[current.StartOffset]) || TextBoundaries.IsCjk(text[current.StartOffset - 1]),
                $"chunk {i} overlap does not start at a word");
            var overlapTokens = TokenEstimator.Instance.CountTokens(text.AsSpan(current.StartOffset, previous.EndOffset - current.StartOffset));
            Assert.InRange(overlapTokens, 4, 24);
            Assert.Contains(previous.Content[^1], ".!?。！");
        }
    }

    [Fact]
    public void Whole_blocks_are_packed_together_and_not_split_when_they_fit()
    {
        var random = new Random(3);
        var blocks = Enumerable.Range(0, 40).Select(_ => new TextBlock(Paragraph(random, 2), BlockKind.Paragraph)).ToList();
        var document = new ExtractedDocument("t", blocks);

        var chunks = AssertInvariants(Chunker(200, 0), document, 200);

        Assert.True(chunks.Count < blocks.Count);
        var text = document.FullText;
        var blockStarts = new HashSet<int>();
        var blockEnds = new HashSet<int>();
        for (int k = 0, offset = 0; k < blocks.Count; k++)
        {
            blockStarts.Add(offset);
            blockEnds.Add(offset + blocks[k].Text.Length);
            offset += blocks[k].Text.Length + 2;
        }

        Assert.All(chunks, c => Assert.Contains(c.StartOffset, blockStarts));
        Assert.All(chunks, c => Assert.Contains(c.EndOffset, blockEnds));
        Assert.Equal(text.Length, chunks[^1].EndOffset);
    }

    [Fact]
    public void Headings_start_new_chunks_and_carry_the_heading_in_force()
    {
        var random = new Random(11);
        var blocks = new List<TextBlock>();
        foreach (var heading in new[] { "Installation", "Configuration", "Troubleshooting" })
        {
            blocks.Add(new TextBlock(heading, BlockKind.Heading, null, heading));
            for (var i = 0; i < 6; i++)
            {
                blocks.Add(new TextBlock(Paragraph(random, 3), BlockKind.Paragraph, null, heading));
            }
        }

        var document = new ExtractedDocument("t", blocks);
        var chunks = AssertInvariants(Chunker(160, 32), document, 160);
        var text = document.FullText;

        foreach (var heading in new[] { "Installation", "Configuration", "Troubleshooting" })
        {
            var offset = text.IndexOf(heading, StringComparison.Ordinal);
            var startsThere = Assert.Single(chunks, c => c.StartOffset == offset);
            Assert.Equal(heading, startsThere.Heading);
        }

        // Every chunk's heading is the heading of the section its first character belongs to.
        foreach (var chunk in chunks)
        {
            var expected = new[] { "Installation", "Configuration", "Troubleshooting" }
                .Last(h => text.IndexOf(h, StringComparison.Ordinal) <= chunk.StartOffset);
            Assert.Equal(expected, chunk.Heading);
        }
    }

    [Fact]
    public void Page_is_the_page_of_the_block_where_the_chunk_starts()
    {
        var random = new Random(5);
        var blocks = Enumerable.Range(1, 12).Select(page => new TextBlock(Paragraph(random, 12), BlockKind.Paragraph, page)).ToList();
        var document = new ExtractedDocument("t", blocks);

        var chunks = AssertInvariants(Chunker(150, 30), document, 150);

        var pageStarts = new List<(int Start, int Page)>();
        for (int k = 0, offset = 0; k < blocks.Count; k++)
        {
            pageStarts.Add((offset, blocks[k].Page!.Value));
            offset += blocks[k].Text.Length + 2;
        }

        Assert.Contains(chunks, c => c.Page > 1);
        Assert.All(chunks, c => Assert.Equal(pageStarts.Last(p => p.Start <= c.StartOffset).Page, c.Page));
    }

    [Fact]
    public void Spaceless_cjk_text_is_split_into_many_bounded_chunks()
    {
        var text = string.Concat(Enumerable.Repeat("数据库连接失败请稍后再试这是一个没有标点的很长的句子", 400));
        var document = new ExtractedDocument("t", [new TextBlock(text, BlockKind.Paragraph)]);

        var chunks = AssertInvariants(Chunker(), document, 512);

        Assert.True(chunks.Count >= text.Length / 512);
    }

    [Fact]
    public void Cjk_sentences_are_split_after_full_width_terminators()
    {
        var text = string.Concat(Enumerable.Repeat("数据库连接失败，请稍后再试。这是一个测试句子！", 300));
        var document = new ExtractedDocument("t", [new TextBlock(text, BlockKind.Paragraph)]);

        var chunks = AssertInvariants(Chunker(100, 0), document, 100);

        Assert.All(chunks, c => Assert.Contains(c.Content[^1], "。！"));
    }

    [Fact]
    public void Emoji_flags_and_combining_marks_are_never_split()
    {
        var builder = new StringBuilder();
        for (var i = 0; i < 600; i++)
        {
            builder.Append("👩‍💻👍🏽🇮🇩e\u0301a\u0308\u0323𝔘");
        }

        var document = new ExtractedDocument("t", [new TextBlock(builder.ToString(), BlockKind.Paragraph)]);

        var chunks = AssertInvariants(Chunker(64, 8), document, 64);

        Assert.True(chunks.Count > 10);
        Assert.All(chunks, c => Assert.False(char.IsLowSurrogate(c.Content[0])));
        Assert.All(chunks, c => Assert.False(char.IsHighSurrogate(c.Content[^1])));
    }

    [Fact]
    public void A_word_longer_than_the_budget_is_cut_at_characters()
    {
        var document = new ExtractedDocument("t", [new TextBlock(new string('a', 20_000), BlockKind.Code)]);

        var chunks = AssertInvariants(Chunker(100, 10), document, 100);

        Assert.True(chunks.Count > 1);
    }

    [Fact]
    public void Same_input_gives_the_same_chunks()
    {
        var document = RandomDocument(new Random(99));
        var first = Chunker(200, 40).Chunk(Source, document);
        var second = Chunker(200, 40).Chunk(Source, RandomDocument(new Random(99)));

        Assert.Equal(
            first.Select(c => (c.Id, c.Content, c.StartOffset, c.EndOffset, c.Heading, c.Page, c.TokenCount)),
            second.Select(c => (c.Id, c.Content, c.StartOffset, c.EndOffset, c.Heading, c.Page, c.TokenCount)));
    }

    [Fact]
    public void Invariants_hold_for_many_random_documents_and_budgets()
    {
        var random = new Random(20240501);
        for (var run = 0; run < 100; run++)
        {
            var maxTokens = random.Next(16, 700);
            var overlap = random.Next(0, (maxTokens / 2) + 1);
            var document = RandomDocument(random);

            var chunks = AssertInvariants(Chunker(maxTokens, overlap), document, maxTokens);

            var again = Chunker(maxTokens, overlap).Chunk(Source, document);
            Assert.Equal(chunks.Select(c => (c.StartOffset, c.EndOffset)), again.Select(c => (c.StartOffset, c.EndOffset)));
            if (document.Blocks.Count > 0)
            {
                Assert.NotEmpty(chunks);
            }
        }
    }
}
