using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Benchmarks.Search;

/// <summary>Reads the one-chunk-per-line files and turns lines into indexable chunks (20 chunks per synthetic document).</summary>
internal static class BenchCorpus
{
    public const int ChunksPerDocument = 20;

    public static List<string> ReadLines(string path, int limit)
    {
        var lines = new List<string>();
        foreach (var line in File.ReadLines(path))
        {
            if (lines.Count >= limit)
            {
                break;
            }

            if (!string.IsNullOrWhiteSpace(line))
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    public static List<IndexedChunk> ToChunks(IReadOnlyList<string> lines, float[][] vectors)
    {
        var chunks = new List<IndexedChunk>(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var documentId = "bench" + (i / ChunksPerDocument);
            var ordinal = i % ChunksPerDocument;
            var chunk = new DocumentChunk(DocumentChunk.MakeId(documentId, ordinal), documentId, ordinal, lines[i], documentId,
                documentId + ".txt", null, null, 0, lines[i].Length, lines[i].Length / 4);
            chunks.Add(new IndexedChunk(chunk, vectors[i]));
        }

        return chunks;
    }

    public static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
