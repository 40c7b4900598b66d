using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Chat.Grounding;

/// <summary>How well the retrieved passages match the question: the share of its content words (by stem) that a passage's
/// title, heading and text contain. Fused search scores are rank-based and say nothing absolute, so this is the check that lets
/// the answer say "the documents do not cover this" instead of quoting the least bad passage.</summary>
/// <param name="Relevant">At least one hit reaches the floor.</param>
/// <param name="BestCoverage">The best hit's coverage (0–1).</param>
/// <param name="Kept">The hits at or above the floor, in rank order.</param>
public sealed record GroundingCheck(bool Relevant, double BestCoverage, double Floor, IReadOnlyList<SearchHit> Kept, IReadOnlyList<double> Coverages)
{
    /// <summary>The best hit's cosine similarity to the query, when the vector check ran (<see cref="RelevanceFloor.WithVectors"/>).</summary>
    public double? BestSimilarity { get; init; }

    /// <summary>The similarity a hit needs when the vector check runs (0: it does not).</summary>
    public double VectorFloor { get; init; }

    /// <summary>What made the hits relevant: <c>words</c> (the lexical floor), <c>vector</c> (the vector check), or <c>none</c>.</summary>
    public string By => !Relevant ? "none" : BestSimilarity is not null ? "vector" : "words";
}

/// <summary>Keeps the hits whose coverage of the query reaches <see cref="ChatPipelineOptions.RelevanceFloor"/>.
/// The check is lexical, like the local embedder; with a neural embedder a paraphrase may share no word, which is why the floor is
/// a setting (0 turns it off).</summary>
public static class RelevanceFloor
{
    /// <param name="topic">Words carried from earlier turns (<see cref="RetrievalQuery.Topic"/>); a hit covering them is relevant too.</param>
    public static GroundingCheck Check(string query, IReadOnlyList<SearchHit> hits, double floor, string? topic = null)
    {
        var stems = GroundingTerms.Stems(query);
        var topicStems = topic is null ? [] : GroundingTerms.Stems(topic);
        var coverages = hits.Select(h =>
        {
            var passage = Passage(h);
            var own = stems.Count == 0 ? 0 : GroundingTerms.Coverage(stems, passage);
            return topicStems.Count == 0 ? own : Math.Max(own, GroundingTerms.Coverage(topicStems, passage));
        }).ToList();
        if (floor <= 0)
        {
            return new GroundingCheck(hits.Count > 0, coverages.DefaultIfEmpty(0).Max(), floor, hits, coverages);
        }

        var kept = hits.Where((_, i) => coverages[i] >= floor).ToList();
        return new GroundingCheck(kept.Count > 0, coverages.DefaultIfEmpty(0).Max(), floor, kept, coverages);
    }

    /// <summary>The second opinion when no hit reaches the lexical floor: hits whose cosine similarity to the query reaches
    /// <paramref name="vectorFloor"/> are relevant. Words cannot match across languages (an Indonesian question about English
    /// documents) or across paraphrases; the embedding can, as far as the embedder is multilingual (measured in the README).</summary>
    public static GroundingCheck WithVectors(GroundingCheck lexical, IReadOnlyList<SearchHit> hits, IReadOnlyList<double> similarities, double vectorFloor)
    {
        ArgumentNullException.ThrowIfNull(lexical);
        ArgumentNullException.ThrowIfNull(hits);
        ArgumentNullException.ThrowIfNull(similarities);
        if (lexical.Relevant || vectorFloor <= 0 || similarities.Count != hits.Count)
        {
            return lexical;
        }

        var kept = hits.Where((_, i) => similarities[i] >= vectorFloor).ToList();
        return lexical with { Relevant = kept.Count > 0, Kept = kept, BestSimilarity = similarities.DefaultIfEmpty(0).Max(), VectorFloor = vectorFloor };
    }

    private static HashSet<string> Passage(SearchHit hit) =>
        GroundingTerms.StemSet($"{hit.Chunk.Title}\n{hit.Chunk.Heading}\n{hit.Chunk.Content}");
}
