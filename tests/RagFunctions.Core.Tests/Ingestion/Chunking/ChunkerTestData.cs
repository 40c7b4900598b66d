using System.Globalization;
using System.Text;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Tests.Ingestion.Chunking;

internal static class ChunkerTestData
{
    public static readonly ChunkSource Source = new("doc1", "docs/a.txt");

    public static StructuredChunker Chunker(int maxTokens = 512, int overlapTokens = 64) =>
        new(TokenEstimator.Instance, Microsoft.Extensions.Options.Options.Create(new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlapTokens }));

    private static readonly string[] Words =
    [
        "the", "ingestion", "pipeline", "extracts", "text", "from", "documents", "and", "splits", "it", "into", "chunks",
        "retrieval", "uses", "hybrid", "search", "with", "reciprocal", "rank", "fusion", "of", "a", "vector", "index",
        "configuration", "value", "2024", "42", "https://example.com/x?y=1", "naïve", "café", "Zürich", "internationalisation",
    ];

    private static readonly string[] Exotic =
    [
        "数据库连接失败", "日本語のテキスト", "안녕하세요", "😀", "👍🏽", "👩‍💻", "🇮🇩", "e\u0301", "a\u0308\u0323", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "。", "！",
    ];

    public static string Sentence(Random random)
    {
        var builder = new StringBuilder();
        var words = random.Next(3, 25);
        for (var i = 0; i < words; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(random.Next(10) == 0 ? Exotic[random.Next(Exotic.Length)] : Words[random.Next(Words.Length)]);
        }

        builder.Append(".!?"[random.Next(3)]);
        return builder.ToString();
    }

    public static string Paragraph(Random random, int sentences)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < sentences; i++)
        {
            if (i > 0)
            {
                builder.Append(' ');
            }

            builder.Append(Sentence(random));
        }

        return builder.ToString();
    }

    /// <summary>A random document: headings, paragraphs (some far over any budget), spaceless CJK runs, emoji runs, pages.</summary>
    public static ExtractedDocument RandomDocument(Random random)
    {
        var blocks = new List<TextBlock>();
        var count = random.Next(0, 30);
        string? heading = null;
        var page = 1;
        for (var i = 0; i < count; i++)
        {
            if (random.Next(8) == 0)
            {
                page++;
            }

            var kind = random.Next(10);
            if (kind == 0)
            {
                heading = "Section " + i + " " + Sentence(random).TrimEnd('.', '!', '?');
                blocks.Add(new TextBlock(heading, BlockKind.Heading, page, heading));
            }
            else if (kind == 1)
            {
                blocks.Add(new TextBlock(Repeat(random, "数据库连接失败请稍后再试。这是一个测试", random.Next(1, 200)), BlockKind.Paragraph, page, heading));
            }
            else if (kind == 2)
            {
                blocks.Add(new TextBlock(Repeat(random, "😀👍🏽👩‍💻🇮🇩e\u0301", random.Next(1, 300)), BlockKind.Paragraph, page, heading));
            }
            else if (kind == 3)
            {
                blocks.Add(new TextBlock(new string('x', random.Next(1, 5000)), BlockKind.Code, page, heading));
            }
            else
            {
                blocks.Add(new TextBlock(Paragraph(random, random.Next(1, kind == 9 ? 120 : 8)), BlockKind.Paragraph, page, heading));
            }
        }

        return new ExtractedDocument("Random", blocks);
    }

    private static string Repeat(Random random, string unit, int times)
    {
        var builder = new StringBuilder();
        for (var i = 0; i < times; i++)
        {
            builder.Append(unit);
            if (random.Next(50) == 0)
            {
                builder.Append(' ');
            }
        }

        return builder.ToString();
    }

    /// <summary>Positions where a cut keeps every grapheme cluster whole (extended grapheme clusters, .NET's StringInfo).</summary>
    public static HashSet<int> GraphemeBoundaries(string text)
    {
        var boundaries = new HashSet<int> { 0, text.Length };
        var position = 0;
        while (position < text.Length)
        {
            position += StringInfo.GetNextTextElementLength(text.AsSpan(position));
            boundaries.Add(position);
        }

        return boundaries;
    }

    /// <summary>Checks every invariant the chunker promises; returns the chunks.</summary>
    public static IReadOnlyList<DocumentChunk> AssertInvariants(StructuredChunker chunker, ExtractedDocument document, int maxTokens)
    {
        var chunks = chunker.Chunk(Source, document);
        var text = document.FullText;
        var covered = new bool[text.Length];
        var boundaries = GraphemeBoundaries(text);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Ordinal);
            Assert.Equal(DocumentChunk.MakeId(Source.DocumentId, i), chunk.Id);
            Assert.Equal(Source.DocumentId, chunk.DocumentId);
            Assert.Equal(Source.SourcePath, chunk.SourcePath);
            Assert.Equal(document.Title, chunk.Title);
            Assert.True(chunk.StartOffset < chunk.EndOffset, $"chunk {i} is empty");
            Assert.Equal(text[chunk.StartOffset..chunk.EndOffset], chunk.Content);
            Assert.True(TokenEstimator.Instance.CountTokens(chunk.Content) <= maxTokens, $"chunk {i} has {TokenEstimator.Instance.CountTokens(chunk.Content)} tokens > {maxTokens}");
            Assert.Equal(TokenEstimator.Instance.CountTokens(chunk.Content), chunk.TokenCount);
            Assert.Contains(chunk.StartOffset, boundaries);
            Assert.Contains(chunk.EndOffset, boundaries);
            if (i > 0)
            {
                Assert.True(chunk.StartOffset > chunks[i - 1].StartOffset && chunk.EndOffset > chunks[i - 1].EndOffset, $"chunk {i} does not advance");
            }

            for (var p = chunk.StartOffset; p < chunk.EndOffset; p++)
            {
                covered[p] = true;
            }
        }

        // Headings are the one exception: a heading whose body did not fit beside it is carried as the body chunks' context
        // prefix (ChunkContext) instead of being a chunk of its own.
        for (int k = 0, offset = 0; k < document.Blocks.Count; offset += document.Blocks[k].Text.Length + ExtractedDocument.BlockSeparator.Length, k++)
        {
            if (document.Blocks[k].Kind == BlockKind.Heading)
            {
                for (var p = offset; p < offset + document.Blocks[k].Text.Length; p++)
                {
                    covered[p] = true;
                }
            }
        }

        for (var p = 0; p < text.Length; p++)
        {
            if (!covered[p] && !char.IsWhiteSpace(text[p]))
            {
                Assert.Fail($"char {p} ('{text[p]}') is in no chunk");
            }
        }

        return chunks;
    }
}
