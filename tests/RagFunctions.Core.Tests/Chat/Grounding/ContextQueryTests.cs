using RagFunctions.Core.Chat.Grounding;
using RagFunctions.Core.Ingestion.Chunking;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Core.Tests.Chat.Grounding;

public sealed class ContextQueryTests
{
    [Theory]
    [InlineData("How can I change it?")]
    [InlineData("What about Windows?")]
    [InlineData("Is that the default?")]
    [InlineData("Bagaimana cara mengubahnya?")]
    public void Elliptic_or_pronominal_follow_ups_carry_the_earlier_topic(string followUp)
    {
        var query = ContextQueryBuilder.Build(followUp, ["What port does PostgreSQL listen on?"], null);
        Assert.Equal("context", query.Mode);
        Assert.Contains("port", query.Text, StringComparison.Ordinal);
        Assert.Contains("postgresql", query.Text, StringComparison.Ordinal);
        Assert.StartsWith(followUp, query.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("What is the capital of Mongolia?")]
    [InlineData("How do I install packages in R?")]
    [InlineData("Which mailing list takes procps bug reports?")]
    public void A_topic_switch_is_searched_alone(string newTopic)
    {
        var query = ContextQueryBuilder.Build(newTopic, ["What port does PostgreSQL listen on?", "How can I change it?"], "RIASEC I92 R85 · Big Five O88");
        Assert.Equal("message", query.Mode);
        Assert.Equal(newTopic, query.Text);
    }

    [Fact]
    public void The_floor_rejects_a_passage_that_shares_only_a_generic_word_and_keeps_one_that_answers()
    {
        static SearchHit Hit(string content) => new(new DocumentChunk("c", "d", 0, content, "Data Types", "p.html", null, null, 0, content.Length, 1), 0.03, Retrievers.Keyword, 1, null);
        var capital = RelevanceFloor.Check("What is the capital of Mongolia?", [Hit("Capital letters in identifiers are folded to lower case.")], 0.6);
        Assert.False(capital.Relevant);
        Assert.Empty(capital.Kept);
        Assert.Equal(0.5, capital.BestCoverage, 3);

        var port = RelevanceFloor.Check("What port does PostgreSQL listen on?", [Hit("The TCP port the PostgreSQL server listens on; 5432 by default.")], 0.6);
        Assert.True(port.Relevant);
        Assert.Single(port.Kept);
    }

    [Fact]
    public void The_vector_check_keeps_hits_close_enough_only_when_no_hit_passes_the_words()
    {
        static SearchHit Hit(string id, string content) => new(new DocumentChunk(id, "d", 0, content, "CLUSTER", "sql-cluster.html", null, null, 0, content.Length, 1), 0.03, Retrievers.Vector, null, 1);
        IReadOnlyList<SearchHit> hits = [Hit("a", "CLUSTER instructs PostgreSQL to cluster the table specified by table_name."), Hit("b", "The box is blue.")];
        var lexical = RelevanceFloor.Check("Apa fungsi perintah CLUSTER pada tabel?", hits, 0.6);
        Assert.False(lexical.Relevant);
        Assert.Equal("none", lexical.By);

        var rescued = RelevanceFloor.WithVectors(lexical, hits, [0.39, 0.12], 0.3);
        Assert.True(rescued.Relevant);
        Assert.Equal("vector", rescued.By);
        Assert.Equal(["a"], rescued.Kept.Select(h => h.Chunk.Id));
        Assert.Equal(0.39, rescued.BestSimilarity);

        var tooFar = RelevanceFloor.WithVectors(lexical, hits, [0.29, 0.12], 0.3);
        Assert.False(tooFar.Relevant);
        Assert.Empty(tooFar.Kept);
        Assert.Equal("none", tooFar.By);
        Assert.Equal(0.29, tooFar.BestSimilarity);

        Assert.Same(lexical, RelevanceFloor.WithVectors(lexical, hits, [0.9, 0.9], 0));
        var words = RelevanceFloor.Check("What does CLUSTER do to the table?", hits, 0.6);
        Assert.Same(words, RelevanceFloor.WithVectors(words, hits, [0.1, 0.1], 0.3));
        Assert.Equal("words", words.By);
    }
}
