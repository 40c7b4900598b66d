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
}
