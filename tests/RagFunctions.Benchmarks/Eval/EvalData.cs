using System.Text.Json;

namespace RagFunctions.Benchmarks.Eval;

/// <summary>A test collection: documents <c>{"id","title","text"}</c> and queries <c>{"id","text"}</c> as JSON lines, judgements as
/// <c>query_id TAB doc_id TAB grade</c> (grade &gt; 0 is relevant).</summary>
internal sealed record EvalData(
    IReadOnlyList<(string Id, string Title, string Text)> Documents,
    IReadOnlyList<(string Id, string Text)> Queries,
    IReadOnlyDictionary<string, HashSet<string>> Relevant)
{
    public static EvalData Read(string docsPath, string queriesPath, string qrelsPath, int limitDocs)
    {
        var docs = new List<(string, string, string)>();
        foreach (var line in File.ReadLines(docsPath))
        {
            if (string.IsNullOrWhiteSpace(line) || docs.Count >= limitDocs)
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            docs.Add((Text(root, "id"), root.TryGetProperty("title", out var t) ? t.GetString() ?? "" : "", Text(root, "text")));
        }

        var queries = new List<(string, string)>();
        foreach (var line in File.ReadLines(queriesPath))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                using var json = JsonDocument.Parse(line);
                queries.Add((Text(json.RootElement, "id"), Text(json.RootElement, "text")));
            }
        }

        var known = docs.Select(d => d.Item1).ToHashSet(StringComparer.Ordinal);
        var relevant = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(qrelsPath))
        {
            var parts = line.Split('\t', ' ');
            if (parts.Length < 3 || !double.TryParse(parts[^1], System.Globalization.CultureInfo.InvariantCulture, out var grade) || grade <= 0)
            {
                continue;
            }

            var (queryId, docId) = parts.Length == 4 ? (parts[0], parts[2]) : (parts[0], parts[1]); // TREC "q 0 d g" or "q d g"
            if (known.Contains(docId))
            {
                (relevant.TryGetValue(queryId, out var set) ? set : relevant[queryId] = new HashSet<string>(StringComparer.Ordinal)).Add(docId);
            }
        }

        // Only judged queries count (trec_eval's default).
        return new EvalData(docs, queries.Where(q => relevant.ContainsKey(q.Item1)).ToList(), relevant);
    }

    private static string Text(JsonElement root, string name) =>
        root.GetProperty(name) is { ValueKind: JsonValueKind.Number } n ? n.GetRawText() : root.GetProperty(name).GetString() ?? "";
}
