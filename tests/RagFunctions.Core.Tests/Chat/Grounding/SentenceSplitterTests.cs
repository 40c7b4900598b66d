using RagFunctions.Core.Chat.Grounding;

namespace RagFunctions.Core.Tests.Chat.Grounding;

public sealed class SentenceSplitterTests
{
    [Fact]
    public void An_abbreviation_before_a_lower_case_word_does_not_end_the_sentence()
    {
        // /usr/share/doc/procps/bugs.md: the address is the answer and must stay with its sentence.
        var sentences = SentenceSplitter.Split(
            "You will need a GitLab login to do so.\n\nAlternatively send comments, bug reports, patches, etc.\nto the email list procps@freelists.org\n\nWhat to send");

        Assert.Contains("Alternatively send comments, bug reports, patches, etc. to the email list procps@freelists.org", sentences);
        Assert.DoesNotContain(sentences, s => s.EndsWith("etc.", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Use a fast disk, e.g. an SSD. Then tune the cache.", "Use a fast disk, e.g. an SSD.")]
    [InlineData("Pick one format, i.e. CSV. Others are refused.", "Pick one format, i.e. CSV.")]
    [InlineData("Ask Dr. Smith about it. She knows.", "Ask Dr. Smith about it.")]
    [InlineData("See form No. 7 for details. It is short.", "See form No. 7 for details.")]
    [InlineData("The ratio is 3.14 on average. It varies.", "The ratio is 3.14 on average.")]
    [InlineData("Read https://www.postgresql.org/docs/15/index.html first. Then ask.", "Read https://www.postgresql.org/docs/15/index.html first.")]
    [InlineData("Mail pgsql-bugs@lists.postgresql.org with the details. Include the version.", "Mail pgsql-bugs@lists.postgresql.org with the details.")]
    [InlineData("Written by J. R. Hacker in 2020. It is old.", "Written by J. R. Hacker in 2020.")]
    [InlineData("Tables, indexes, views, etc. All are objects.", "Tables, indexes, views, etc.")]
    public void Sentences_end_only_where_a_new_sentence_starts(string text, string first)
    {
        var sentences = SentenceSplitter.Split(text);
        Assert.Equal(2, sentences.Count);
        Assert.Equal(first, sentences[0]);
    }

    [Fact]
    public void List_items_are_sentences_without_their_markers()
    {
        var sentences = SentenceSplitter.Split("Steps:\n- stop the server\n- edit postgresql.conf\n1. start it again\n2) check the log");
        Assert.Equal(["Steps:", "stop the server", "edit postgresql.conf", "start it again", "check the log"], sentences);
    }
}
