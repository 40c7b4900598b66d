using System.Globalization;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Eval;

namespace RagFunctions.Benchmarks.Tests.Eval;

/// <summary>The <c>eval</c> command end to end on a tiny committed collection (the nine sections of the Apache License 2.0,
/// five questions, one relevant section each), with the fast hashed embedder.</summary>
public sealed class EvalCommandTests : IDisposable
{
    private static readonly string Fixture = Path.Combine(AppContext.BaseDirectory, "Eval", "Fixture");
    private readonly string _data = Path.Combine(Path.GetTempPath(), "ragfunctions-tests", "eval-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder left behind is harmless.
        }
    }

    [Fact]
    public void Reads_documents_queries_and_judgements()
    {
        var data = EvalData.Read(Path.Combine(Fixture, "docs.jsonl"), Path.Combine(Fixture, "queries.jsonl"), Path.Combine(Fixture, "qrels.tsv"), int.MaxValue);

        Assert.Equal(9, data.Documents.Count);
        Assert.Equal(("apache-2.0-section-6", "Trademarks"), (data.Documents[5].Id, data.Documents[5].Title));
        Assert.StartsWith("This License does not grant permission", data.Documents[5].Text, StringComparison.Ordinal);
        Assert.Equal(["q1", "q2", "q3", "q4", "q5"], data.Queries.Select(q => q.Id));
        Assert.Equal(["apache-2.0-section-3"], data.Relevant["q1"]);
    }

    [Fact]
    public void Judgements_in_trec_layout_count_and_unjudged_queries_and_unknown_documents_are_left_out()
    {
        var qrels = Path.Combine(_data, "qrels.trec");
        Directory.CreateDirectory(_data);
        // TREC "query 0 doc grade"; a zero grade is not relevant; q5 is judged only against a document not in the collection.
        File.WriteAllLines(qrels, ["q1 0 apache-2.0-section-3 2", "q1 0 apache-2.0-section-2 0", "q2 0 apache-2.0-section-6 1", "q5 0 missing 1"]);

        var data = EvalData.Read(Path.Combine(Fixture, "docs.jsonl"), Path.Combine(Fixture, "queries.jsonl"), qrels, int.MaxValue);

        Assert.Equal(["q1", "q2"], data.Queries.Select(q => q.Id));
        Assert.Equal(["apache-2.0-section-3"], data.Relevant["q1"]);
    }

    [Fact]
    public async Task Prints_every_retriever_and_ranks_the_obvious_answers_first()
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var args = BenchArgs.Parse([
            "--docs", Path.Combine(Fixture, "docs.jsonl"), "--queries", Path.Combine(Fixture, "queries.jsonl"),
            "--qrels", Path.Combine(Fixture, "qrels.tsv"), "--embedder", "lexical", "--data", _data,
        ]);

        var status = await EvalBenchmark.RunAsync(args, output);

        Assert.Equal(0, status);
        var text = output.ToString();
        Assert.Contains("docs=9 queries=5 ", text, StringComparison.Ordinal);
        Assert.Contains("failed=0 ", text, StringComparison.Ordinal);
        var rows = text.Split('\n')
            .Where(l => l.StartsWith("| ", StringComparison.Ordinal) && !l.StartsWith("| run ", StringComparison.Ordinal))
            .Select(l => l.Trim().Trim('|').Split('|', StringSplitOptions.TrimEntries))
            .ToDictionary(cells => cells[0], cells => cells[1..4].Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToArray());

        Assert.Equal(["fts5-bm25", "fts5-bm25-qtf", "keyword", "vector", "hybrid"], rows.Keys);
        Assert.All(rows.Values.SelectMany(v => v), metric => Assert.InRange(metric, 0, 1));
        // Each question names words only its section uses: both keyword engines rank it first (nDCG, MRR and recall 1).
        Assert.Equal([1.0, 1.0, 1.0], rows["keyword"]);
        Assert.Equal([1.0, 1.0, 1.0], rows["fts5-bm25"]);
    }

    [Fact]
    public async Task A_byte_identical_document_is_indexed_once_and_a_hit_on_its_copy_counts_for_it()
    {
        // The product indexes one copy of identical content (duplicate files); judged collections hold such pairs (CISI: two).
        Directory.CreateDirectory(_data);
        var docs = Path.Combine(_data, "docs.jsonl");
        var lines = File.ReadAllLines(Path.Combine(Fixture, "docs.jsonl"));
        var section6 = lines.Single(l => l.Contains("\"apache-2.0-section-6\"", StringComparison.Ordinal));
        File.WriteAllLines(docs, [.. lines, section6.Replace("\"apache-2.0-section-6\"", "\"apache-2.0-section-6-copy\"", StringComparison.Ordinal)]);
        var qrels = Path.Combine(_data, "qrels.tsv");
        File.WriteAllLines(qrels, File.ReadAllLines(Path.Combine(Fixture, "qrels.tsv"))
            .Select(l => l.Replace("q2\tapache-2.0-section-6\t", "q2\tapache-2.0-section-6-copy\t", StringComparison.Ordinal)));
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var args = BenchArgs.Parse([
            "--docs", docs, "--queries", Path.Combine(Fixture, "queries.jsonl"), "--qrels", qrels,
            "--embedder", "lexical", "--data", Path.Combine(_data, "run"),
        ]);

        var status = await EvalBenchmark.RunAsync(args, output);

        var text = output.ToString();
        Assert.Equal(0, status);
        Assert.Contains("docs=10 queries=5 ", text, StringComparison.Ordinal);
        Assert.Contains("duplicates=1 failed=0 ", text, StringComparison.Ordinal);
        var keyword = text.Split('\n').Single(l => l.StartsWith("| keyword ", StringComparison.Ordinal))
            .Trim().Trim('|').Split('|', StringSplitOptions.TrimEntries);
        // Recall@10 stays 1: the question whose only relevant document is the copy finds it through the indexed one.
        Assert.Equal(1.0, double.Parse(keyword[3], CultureInfo.InvariantCulture));
    }
}
