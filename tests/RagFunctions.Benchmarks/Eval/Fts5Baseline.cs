using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace RagFunctions.Benchmarks.Eval;

/// <summary>The reference keyword engine: SQLite FTS5 (<c>porter unicode61</c>, the SQLite the local host ships) over the very
/// chunks the product indexed, with the text the product keyword-indexes as one field; query words OR-ed, ranked by <c>bm25()</c>.</summary>
internal sealed partial class Fts5Baseline : IDisposable
{
    private readonly SqliteConnection _connection = new("Data Source=:memory:");
    private readonly List<string> _keys = [];

    public Fts5Baseline()
    {
        _connection.Open();
        using var command = _connection.CreateCommand();
        command.CommandText = "CREATE VIRTUAL TABLE chunks USING fts5(body, tokenize = 'porter unicode61')";
        command.ExecuteNonQuery();
    }

    /// <summary>Adds one chunk; <paramref name="key"/> is what a hit reports (e.g. the source document).</summary>
    public void Add(string key, string body)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT INTO chunks (rowid, body) VALUES ($id, $body)";
        command.Parameters.AddWithValue("$id", _keys.Count);
        command.Parameters.AddWithValue("$body", body);
        command.ExecuteNonQuery();
        _keys.Add(key);
    }

    /// <param name="repeats">Keep a word each time the query repeats it (FTS5 then sums its phrase once per occurrence: query
    /// term frequency, as the product's BM25 weighs repeated terms); otherwise each distinct word once.</param>
    public List<string> Search(string query, int top, bool repeats = false)
    {
        var all = Word().Matches(query.ToLowerInvariant()).Select(m => m.Value);
        var words = (repeats ? all : all.Distinct()).ToList();
        var hits = new List<string>();
        if (words.Count == 0)
        {
            return hits;
        }

        var match = new StringBuilder();
        foreach (var word in words)
        {
            match.Append(match.Length == 0 ? "" : " OR ").Append('"').Append(word.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }

        using var command = _connection.CreateCommand();
        command.CommandText = "SELECT rowid FROM chunks WHERE chunks MATCH $q ORDER BY bm25(chunks) LIMIT $top";
        command.Parameters.AddWithValue("$q", match.ToString());
        command.Parameters.AddWithValue("$top", top);
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            hits.Add(_keys[(int)reader.GetInt64(0)]);
        }

        return hits;
    }

    public void Dispose() => _connection.Dispose();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();
}
