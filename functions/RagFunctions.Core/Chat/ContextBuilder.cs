using RagFunctions.Core.History;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Chat;

/// <summary>Step 5: numbers the hits [1]..[n] in rank order, keeping those that fit the context budget
/// (a hit that does not fit is skipped and a smaller later one may still fit; a lone oversize first hit is cut to the budget).</summary>
public sealed class ContextBuilder(ITokenCounter tokenCounter)
{
    private const int SnippetChars = 240;

    public SourceContext Build(IReadOnlyList<SearchHit> hits, int tokenBudget)
    {
        var sources = new List<ContextSource>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var used = 0;
        var dropped = 0;
        foreach (var hit in hits)
        {
            if (!seen.Add(hit.Chunk.Id) || string.IsNullOrWhiteSpace(hit.Chunk.Content))
            {
                continue;
            }

            var content = hit.Chunk.Content.Trim();
            var tokens = tokenCounter.CountTokens(content);
            if (used + tokens > tokenBudget)
            {
                if (sources.Count > 0 || tokenBudget <= 0)
                {
                    dropped++;
                    continue;
                }

                content = CutToBudget(content, tokenBudget);
                tokens = tokenCounter.CountTokens(content);
            }

            used += tokens;
            var chunk = hit.Chunk;
            var citation = new Citation(sources.Count + 1, chunk.Id, chunk.DocumentId, chunk.Title, chunk.SourcePath, chunk.Page, chunk.Heading, Snippet(content));
            sources.Add(new ContextSource(citation, content, tokens));
        }

        return new SourceContext(sources, used, dropped);
    }

    private string CutToBudget(string content, int budget)
    {
        // Binary search on length: the counter is an estimate, not necessarily linear in characters.
        int lo = 0, hi = content.Length;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) / 2;
            if (tokenCounter.CountTokens(content.AsSpan(0, mid)) <= budget)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return content[..lo];
    }

    internal static string Snippet(string content)
    {
        var flat = string.Join(' ', content.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= SnippetChars ? flat : flat[..SnippetChars].TrimEnd() + "…";
    }
}
