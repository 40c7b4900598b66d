using Microsoft.Extensions.Options;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Ingestion.Chunking;

/// <summary>
/// Structure-first chunker over <see cref="ExtractedDocument.Blocks"/>: packs whole blocks up to the budget, starts a new
/// chunk at each heading, and splits an oversized block at sentence ends, then word starts, then grapheme boundaries.
/// </summary>
/// <remarks>
/// <para>Offsets index <see cref="ExtractedDocument.FullText"/> and <c>Content == FullText[Start..End]</c> exactly.</para>
/// <para>New text per chunk is packed to <c>MaxTokens − OverlapTokens</c>; each chunk after the first is then prefixed with
/// about <c>OverlapTokens</c> of the previous chunk's tail, starting at a sentence or word start, never exceeding
/// <c>MaxTokens</c>. A chunk that begins with a heading gets no prefix: a section boundary is a clean break, and
/// text from the previous section would blur the chunk's heading.</para>
/// <para><see cref="DocumentChunk.Heading"/> and <see cref="DocumentChunk.Page"/> come from the block in which the chunk starts.</para>
/// </remarks>
/// <para>With an <see cref="Embedding.EmbeddingWindow"/> (a local model that reads a fixed number of its own tokens), tokens are
/// counted with the model's tokenizer and <c>MaxTokens</c> is capped at the window, so every chunk is embedded whole.</para>
public sealed class StructuredChunker(ITokenCounter counter, IOptions<ChunkingOptions> options, Embedding.EmbeddingWindow? window = null) : IChunker
{
    private readonly ITokenCounter tokenCounter = window?.Tokens ?? counter;
    private readonly int _maxTokens = MaxTokensFor(options.Value, window);
    private readonly int _overlapTokens = Math.Clamp(
        window is null ? options.Value.OverlapTokens : options.Value.OverlapTokens * MaxTokensFor(options.Value, window) / Math.Max(8, options.Value.MaxTokens),
        0, MaxTokensFor(options.Value, window) / 2);

    /// <summary>The chunk budget in effect: the configured one, capped at the embedder's window.</summary>
    public int MaxTokens => _maxTokens;

    private static int MaxTokensFor(ChunkingOptions options, Embedding.EmbeddingWindow? window) =>
        Math.Max(8, window is null ? options.MaxTokens : Math.Min(options.MaxTokens, window.MaxTokens));

    private int ContentBudget => _maxTokens - _overlapTokens;

    public IReadOnlyList<DocumentChunk> Chunk(ChunkSource source, ExtractedDocument document)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(document);

        var text = document.FullText;
        var blocks = document.Blocks;
        var blockStarts = new int[blocks.Count];
        for (int k = 0, offset = 0; k < blocks.Count; k++)
        {
            blockStarts[k] = offset;
            offset += blocks[k].Text.Length + ExtractedDocument.BlockSeparator.Length;
        }

        var segments = BuildSegments(text, blocks, blockStarts);
        var chunks = new List<DocumentChunk>();
        var index = 0;
        var previous = (Start: -1, End: -1);
        var afterSkippedHeading = false; // a section starts here: no overlap from the previous section
        while (index < segments.Count)
        {
            var (ownStart, ownEnd, next) = Pack(text, segments, index);
            if (next < segments.Count && OnlyHeadings(segments, index, next))
            {
                // Headings whose section body did not fit beside them: a chunk of headings alone says nothing a reader can use
                // and, embedded, matches any question about the topic. The body's chunks carry the heading (and title) as
                // their context prefix (ChunkContext), so nothing is lost by not emitting it.
                index = next;
                afterSkippedHeading = true;
                continue;
            }

            var start = ownStart;
            if (chunks.Count > 0 && !segments[index].IsHeading && !afterSkippedHeading)
            {
                start = OverlapStart(text, previous.Start, previous.End, ownStart, ownEnd);
            }

            var content = text[start..ownEnd];
            var blockIndex = BlockAt(blockStarts, start);
            var block = blocks[blockIndex];
            var ordinal = chunks.Count;
            chunks.Add(new DocumentChunk(
                DocumentChunk.MakeId(source.DocumentId, ordinal),
                source.DocumentId,
                ordinal,
                content,
                document.Title,
                source.SourcePath,
                block.Page,
                block.Kind == BlockKind.Heading ? block.Text : block.Heading,
                start,
                ownEnd,
                tokenCounter.CountTokens(content)));
            previous = (start, ownEnd);
            index = next;
            afterSkippedHeading = false;
        }

        return chunks;
    }

    private static bool OnlyHeadings(List<Segment> segments, int from, int to)
    {
        for (var k = from; k < to; k++)
        {
            if (!segments[k].IsHeading)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A piece of one block that fits the content budget on its own.</summary>
    private readonly record struct Segment(int Start, int End, int Tokens, int Block, bool IsHeading, bool EndsBlock);

    private List<Segment> BuildSegments(string text, IReadOnlyList<TextBlock> blocks, int[] blockStarts)
    {
        var segments = new List<Segment>();
        for (var k = 0; k < blocks.Count; k++)
        {
            var start = blockStarts[k];
            var end = start + blocks[k].Text.Length;
            if (end == start)
            {
                continue;
            }

            var isHeading = blocks[k].Kind == BlockKind.Heading;
            var tokens = tokenCounter.CountTokens(text.AsSpan(start, end - start));
            if (tokens <= ContentBudget)
            {
                segments.Add(new Segment(start, end, tokens, k, isHeading, EndsBlock: true));
                continue;
            }

            var pieceStart = start;
            while (pieceStart < end)
            {
                var cut = NextCut(text, pieceStart, end);
                var pieceTokens = tokenCounter.CountTokens(text.AsSpan(pieceStart, cut - pieceStart));
                segments.Add(new Segment(pieceStart, cut, pieceTokens, k, isHeading, EndsBlock: cut == end));
                pieceStart = cut;
            }
        }

        return segments;
    }

    /// <summary>End of the longest piece from <paramref name="start"/> within the budget, cut at the last sentence start,
    /// else the last word start, else a grapheme boundary.</summary>
    private int NextCut(string text, int start, int end)
    {
        var span = text.AsSpan();

        // Count only a window ahead of the cut, never the rest of the block: re-counting the remainder at every cut made a
        // long block quadratic (issue 11). The window doubles until it holds more than the budget or reaches the block end,
        // so each cut costs O(window · log window) and the window is a small multiple of the piece it yields.
        var window = Math.Min(end - start, Math.Max(256, ContentBudget * 8));
        while (start + window < end && tokenCounter.CountTokens(span.Slice(start, window)) <= ContentBudget)
        {
            window = (int)Math.Min(end - start, 2L * window);
        }

        if (start + window >= end && tokenCounter.CountTokens(span[start..end]) <= ContentBudget)
        {
            return end;
        }

        var lo = start;
        var hi = start + window;
        while (lo < hi)
        {
            var mid = lo + ((hi - lo + 1) / 2);
            if (tokenCounter.CountTokens(span[start..mid]) <= ContentBudget)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        var limit = lo;
        for (var p = limit; p > start; p--)
        {
            if (TextBoundaries.IsSentenceStart(span, p))
            {
                return p;
            }
        }

        for (var p = limit; p > start; p--)
        {
            if (TextBoundaries.IsWordStart(span, p))
            {
                return p;
            }
        }

        var cut = TextBoundaries.GraphemeFloor(span, start, limit);
        return cut > start ? cut : Math.Min(end, start + (char.IsHighSurrogate(text[start]) ? 2 : 1));
    }

    /// <summary>Greedily takes whole segments from <paramref name="first"/> while the new text stays within the content budget;
    /// stops before a heading that would follow non-heading text. Returns the new text's span (trailing whitespace trimmed).</summary>
    private (int Start, int End, int Next) Pack(string text, List<Segment> segments, int first)
    {
        var tokens = segments[first].Tokens;
        var sawBody = !segments[first].IsHeading;
        var next = first + 1;
        while (next < segments.Count)
        {
            var candidate = segments[next];
            if (candidate.IsHeading && sawBody && candidate.Start != segments[next - 1].End)
            {
                break;
            }

            // Counting pieces separately over-estimates their concatenation, so the sum is a safe running bound;
            // a block separator ("\n\n") costs one more token.
            var separator = segments[next - 1].EndsBlock ? 1 : 0;
            if (tokens + separator + candidate.Tokens > ContentBudget)
            {
                break;
            }

            tokens += separator + candidate.Tokens;
            sawBody |= !candidate.IsHeading;
            next++;
        }

        var start = segments[first].Start;
        var end = TrimEnd(text, start, segments[next - 1].End);

        // The running sum is an over-estimate in all but rare edge cases; confirm exactly and drop trailing segments if needed.
        while (next - 1 > first && tokenCounter.CountTokens(text.AsSpan(start, end - start)) > ContentBudget)
        {
            next--;
            end = TrimEnd(text, start, segments[next - 1].End);
        }

        return (start, end, next);
    }

    /// <summary>Start of the overlap prefix: about <c>OverlapTokens</c> before the previous chunk's end, at a sentence or word
    /// start inside the previous chunk (never its very start), such that the whole chunk stays within <c>MaxTokens</c>.</summary>
    private int OverlapStart(string text, int previousStart, int previousEnd, int ownStart, int ownEnd)
    {
        if (_overlapTokens == 0 || previousEnd <= previousStart)
        {
            return ownStart;
        }

        var span = text.AsSpan();
        var wordStart = -1;
        for (var p = previousEnd - 1; p > previousStart; p--)
        {
            if (!TextBoundaries.IsWordStart(span, p) && !TextBoundaries.IsSentenceStart(span, p))
            {
                continue;
            }

            if (tokenCounter.CountTokens(span[p..previousEnd]) > _overlapTokens)
            {
                break;
            }

            wordStart = p;
        }

        if (wordStart < 0)
        {
            return ownStart;
        }

        // Prefer a sentence start when one lies within the chosen tail and keeps at least half the wanted overlap.
        var chosen = wordStart;
        for (var p = wordStart; p < previousEnd; p++)
        {
            if (TextBoundaries.IsSentenceStart(span, p))
            {
                if (tokenCounter.CountTokens(span[p..previousEnd]) * 2 >= _overlapTokens)
                {
                    chosen = p;
                }

                break;
            }
        }

        // Keep the whole chunk within the hard limit; move the prefix start forward word by word if it is not.
        while (chosen < previousEnd && tokenCounter.CountTokens(span[chosen..ownEnd]) > _maxTokens)
        {
            var p = chosen + 1;
            while (p < previousEnd && !TextBoundaries.IsWordStart(span, p))
            {
                p++;
            }

            chosen = p;
        }

        return chosen >= previousEnd ? ownStart : chosen;
    }

    private static int TrimEnd(string text, int start, int end)
    {
        while (end > start + 1 && char.IsWhiteSpace(text[end - 1]))
        {
            end--;
        }

        return end;
    }

    private static int BlockAt(int[] blockStarts, int offset)
    {
        var index = Array.BinarySearch(blockStarts, offset);
        return index >= 0 ? index : Math.Max(0, ~index - 1);
    }
}
