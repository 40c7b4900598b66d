using Microsoft.Extensions.AI;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;

namespace RagFunctions.Core.Tests.Chat.Grounding;

public sealed class ExtractiveAnswererGroundingTests
{
    private static List<ChatMessage> Prompt(string question, string? searchQuery, IReadOnlyList<string>? previous, params (string Title, string? Heading, string Content)[] sources)
    {
        var context = new SourceContext(
            [.. sources.Select((s, i) => new ContextSource(new Citation(i + 1, $"k{i}", $"d{i}", s.Title, $"p{i}", null, s.Heading, ""), s.Content, 1))], 1, 0);
        return [new(ChatRole.System, "sys"), new(ChatRole.User, PromptFormat.RenderUserTurn(context, question, searchQuery, previous))];
    }

    private const string Bugs = "Where to send\n\nYou can raise issues on the GitLab issues tracker which is located at https://gitlab.com/procps-ng/procps/issues You will need a GitLab login to do so.\n\nAlternatively send comments, bug reports, patches, etc.\nto the email list procps@freelists.org\n\nWhat to send\n\nIt is much more useful to us if a program really crashes to recompile it with debugging symbols.";

    [Fact]
    public async Task Quotes_the_answering_sentence_whole_once_even_when_two_files_hold_it_and_reports_no_tokens()
    {
        var response = await new ExtractiveAnswerer().GetResponseAsync(Prompt(
            "Where do I send bug reports and patches by email?", null, null,
            ("procps bugs", "Where to send", Bugs), ("procps copy", null, Bugs)));
        var parsed = FollowupParser.Parse(response.Text);

        Assert.Contains("Alternatively send comments, bug reports, patches, etc. to the email list procps@freelists.org [1]", parsed.Text, StringComparison.Ordinal);
        Assert.Equal(1, CountOf(parsed.Text, "Alternatively send comments"));
        Assert.DoesNotContain("[2]", parsed.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("recompile", parsed.Text, StringComparison.Ordinal);
        Assert.Equal(0, response.Usage!.InputTokenCount);
        Assert.Equal(0, response.Usage!.OutputTokenCount);
        Assert.All(parsed.Questions, q => Assert.DoesNotContain("procps copy", q, StringComparison.Ordinal));
        Assert.Contains("Where to send", string.Join(" | ", parsed.Questions), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Regeneration_quotes_the_next_best_sentences_or_says_there_is_no_other_answer()
    {
        var sources = new (string, string?, string)[] { ("Manual", null, "The warranty lasts two years. The warranty covers parts and labour. The box is blue.") };
        const string question = "What does the warranty cover and how long?";
        var previous = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var answer = FollowupParser.Parse((await new ExtractiveAnswerer().GetResponseAsync(Prompt(question, null, previous, sources))).Text).Text;
            Assert.DoesNotContain(answer, previous);
            if (answer == ExtractiveAnswerer.NoOtherAnswer)
            {
                break;
            }

            previous.Add(answer);
        }

        Assert.InRange(previous.Count, 1, 2);
        var all = string.Join("\n", previous);
        Assert.Contains("two years", all, StringComparison.Ordinal);
        Assert.Contains("parts and labour", all, StringComparison.Ordinal);
        Assert.DoesNotContain("blue", all, StringComparison.Ordinal);
    }

    private const string Connections = "port (integer)\n\nThe TCP port the server listens on; 5432 by default. Note that the same port number is used for all IP addresses the server listens on. This parameter can only be set at server start.\n\nlog_connections (boolean)\n\nCauses each attempted connection to the server to be logged. Unrelated remark about logs.";

    [Fact]
    public async Task A_follow_up_is_answered_by_its_own_words_with_the_carried_topic_steering()
    {
        // "change" is answered by "set" (a related action verb); "it" is the port, which the search query carries and the
        // sentences before "This parameter" name.
        var parsed = FollowupParser.Parse((await new ExtractiveAnswerer().GetResponseAsync(
            Prompt("How can I change it?", "How can I change it? port postgresql listen", null, ("Connections", "port", Connections)))).Text);

        Assert.True(parsed.Text.Contains("port (integer): This parameter can only be set at server start. [1]", StringComparison.Ordinal), parsed.Text);
        Assert.DoesNotContain("5432", parsed.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("logs", parsed.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_follow_up_does_not_quote_again_what_the_conversation_already_quoted()
    {
        const string earlier = "Extractive answer (no language model is configured): the most relevant sentences from your documents, quoted as found.\n\n"
            + "The TCP port the server listens on; 5432 by default. [1]\nport (integer): This parameter can only be set at server start. [1]";
        List<ChatMessage> prompt =
        [
            new(ChatRole.System, "sys"),
            new(ChatRole.User, "What port does PostgreSQL listen on and how is it set?"),
            new(ChatRole.Assistant, earlier),
            .. Prompt("And how do I change it?", "And how do I change it? port postgresql listen", null, ("Connections", "port", Connections)).Skip(1),
        ];

        var text = FollowupParser.Parse((await new ExtractiveAnswerer().GetResponseAsync(prompt)).Text).Text;

        // The only sentences about the port and setting it were quoted in the earlier answer: saying so beats repeating them.
        Assert.Equal(ExtractiveAnswerer.NothingNew, text);
    }

    [Fact]
    public async Task A_question_asked_afresh_may_get_the_sentences_an_earlier_answer_quoted()
    {
        const string earlier = "Extractive answer (no language model is configured): the most relevant sentences from your documents, quoted as found.\n\n"
            + "The TCP port the server listens on; 5432 by default. [1]";
        List<ChatMessage> prompt =
        [
            new(ChatRole.System, "sys"),
            new(ChatRole.User, "What TCP port does the server listen on?"),
            new(ChatRole.Assistant, earlier),
            .. Prompt("What TCP port does the server listen on?", null, null, ("Connections", "port", Connections)).Skip(1),
        ];

        var text = FollowupParser.Parse((await new ExtractiveAnswerer().GetResponseAsync(prompt)).Text).Text;

        Assert.Contains("5432 by default", text, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part) => (text.Length - text.Replace(part, "", StringComparison.Ordinal).Length) / part.Length;
}
