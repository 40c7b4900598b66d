using System.Text;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

/// <summary>Word-multiset agreement between an extraction and a reference text.
/// Words are maximal runs of letters/digits, lower-cased; overlap = |ours ∩ reference| / |reference| with multiset
/// intersection (each word counts min(times in ours, times in reference)).</summary>
internal static class WordOverlap
{
    public static Dictionary<string, int> Words(string text)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var ch in text + " ")
        {
            if (char.IsLetterOrDigit(ch))
            {
                word.Append(char.ToLowerInvariant(ch));
            }
            else if (word.Length > 0)
            {
                var w = word.ToString();
                counts[w] = counts.GetValueOrDefault(w) + 1;
                word.Clear();
            }
        }

        return counts;
    }

    public static double Overlap(string ours, string reference) => Overlap(Words(ours), Words(reference));

    public static double Overlap(Dictionary<string, int> ours, Dictionary<string, int> reference)
    {
        var total = reference.Values.Sum();
        if (total == 0)
        {
            return ours.Count == 0 ? 1 : 0;
        }

        var common = reference.Sum(kv => Math.Min(kv.Value, ours.GetValueOrDefault(kv.Key)));
        return (double)common / total;
    }

    /// <summary>The reference words we miss most often (for diagnosing a low score).</summary>
    public static IEnumerable<(string Word, int Missing)> Missing(Dictionary<string, int> ours, Dictionary<string, int> reference, int top) =>
        reference.Select(kv => (kv.Key, kv.Value - Math.Min(kv.Value, ours.GetValueOrDefault(kv.Key))))
            .Where(x => x.Item2 > 0).OrderByDescending(x => x.Item2).Take(top);
}
