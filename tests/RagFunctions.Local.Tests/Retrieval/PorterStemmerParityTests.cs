using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using RagFunctions.Core.Retrieval;
using RagFunctions.Local.Tests.Frontend;

namespace RagFunctions.Local.Tests.Retrieval;

/// <summary>The keyword analyser's stemmer must conflate words exactly as SQLite FTS5's <c>porter</c> tokenizer (the keyword
/// baseline the eval command compares against, bundled with the local host) does.</summary>
public sealed partial class PorterStemmerParityTests
{
    [Fact]
    public void Stems_every_word_of_real_english_text_as_sqlite_fts5_porter_does()
    {
        var words = RealWords();
        Assert.True(words.Count >= 2000, $"only {words.Count} distinct words of real text found");

        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        Execute(connection, "CREATE VIRTUAL TABLE w USING fts5(body, tokenize = 'porter unicode61'); CREATE VIRTUAL TABLE v USING fts5vocab(w, 'instance');");
        using (var transaction = connection.BeginTransaction())
        {
            using var insert = connection.CreateCommand();
            insert.CommandText = "INSERT INTO w (rowid, body) VALUES ($id, $word)";
            var id = insert.Parameters.Add(new SqliteParameter { ParameterName = "$id" });
            var body = insert.Parameters.Add(new SqliteParameter { ParameterName = "$word" });
            for (var i = 0; i < words.Count; i++)
            {
                id.Value = i;
                body.Value = words[i];
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        var differences = new List<string>();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT doc, term FROM v";
        using var reader = select.ExecuteReader();
        var seen = 0;
        while (reader.Read())
        {
            seen++;
            var word = words[(int)reader.GetInt64(0)];
            var ours = PorterStemmer.Stem(word);
            if (ours != reader.GetString(1))
            {
                differences.Add($"{word}: sqlite {reader.GetString(1)}, ours {ours}");
            }
        }

        Assert.Equal(words.Count, seen);
        Assert.Empty(differences);
    }

    /// <summary>Distinct lower-case ASCII words of the licence texts every Debian system ships and of this repository's README.</summary>
    private static List<string> RealWords()
    {
        var files = Directory.Exists("/usr/share/common-licenses") ? Directory.GetFiles("/usr/share/common-licenses").ToList() : [];
        if (TestTools.RepositoryRoot() is { } root)
        {
            files.Add(Path.Combine(root, "README.md"));
        }

        var words = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in files.Where(File.Exists))
        {
            foreach (Match match in Word().Matches(File.ReadAllText(file).ToLowerInvariant()))
            {
                words.Add(match.Value);
            }
        }

        return [.. words];
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    // Whole ASCII words only: unicode61 would split "naïve" differently, and the stemmer leaves non-ASCII words alone anyway.
    [GeneratedRegex(@"(?<![\p{L}\p{N}])[a-z0-9]{1,64}(?![\p{L}\p{N}])")]
    private static partial Regex Word();
}
