using System.Globalization;
using System.Text;
using RagFunctions.Api.Chat;
using RagFunctions.Core.Assessment;
using RagFunctions.Core.Common;
using RagFunctions.Core.History;
using RagFunctions.Core.Ingestion;
using RagFunctions.Core.Tests.Assessment;
using RagFunctions.Tests.Fakes.Assessment;

namespace RagFunctions.Core.Tests.Edges;

/// <summary>Issue 11's edge probes at the unit level: upload names, invalid UTF-8 in events, HTML in Markdown exports.</summary>
public sealed class EdgeInputTests
{
    private static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    [Theory]
    [InlineData("文", ".pdf")]
    [InlineData("🙂", ".md")]
    [InlineData("e\u0301", ".txt")]
    [InlineData("x", ".docx")]
    public void Long_names_are_shortened_to_whole_characters_keeping_the_extension(string unit, string extension)
    {
        var uploaded = string.Concat(Enumerable.Repeat(unit, 400)) + extension;

        var name = UploadFileNames.Sanitize(uploaded);

        Assert.EndsWith(extension, name, StringComparison.Ordinal);
        Assert.InRange(Encoding.UTF8.GetByteCount(name), UploadFileNames.MaxLength - 8, UploadFileNames.MaxLength);
        // Valid UTF-16 (no split surrogate pair) and no grapheme cut in half (every element of the stem is the unit).
        Assert.Equal(name, StrictUtf8.GetString(StrictUtf8.GetBytes(name)));
        var stem = name[..^extension.Length];
        var elements = StringInfo.GetTextElementEnumerator(stem);
        while (elements.MoveNext())
        {
            Assert.Equal(unit, elements.GetTextElement());
        }
    }

    [Fact]
    public void A_long_name_without_a_usable_extension_is_cut_at_the_byte_limit()
    {
        var name = UploadFileNames.Sanitize(new string('a', 300) + "." + new string('b', 40));

        Assert.Equal(UploadFileNames.MaxLength, name.Length);
        Assert.All(name, c => Assert.Equal('a', c));
    }

    [Theory]
    [InlineData("invoice\u202Efdp.exe", "U+202E")]
    [InlineData("report\u2066.pdf", "U+2066")]
    [InlineData("a\u200Bb.txt", "U+200B")]
    [InlineData("\u200Fname.md", "U+200F")]
    public void Invisible_formatting_characters_are_refused_naming_the_code_point(string uploaded, string codePoint)
    {
        var problem = Assert.Throws<ValidationProblemException>(() => UploadFileNames.Sanitize(uploaded));

        Assert.Contains(codePoint, problem.Message, StringComparison.Ordinal);
        Assert.Contains("file", problem.Errors.Keys);
    }

    [Fact]
    public void Control_characters_are_still_replaced_not_refused() =>
        Assert.Equal("line_break_bell_.txt", UploadFileNames.Sanitize("line\nbreak\u0007bell\u0085.txt"));

    [Fact]
    public void Invalid_utf8_in_an_event_string_is_malformed_json_naming_the_offset()
    {
        var json = Encoding.UTF8.GetBytes(AssessmentSamples.CamelCase());
        var at = Array.IndexOf(json, (byte)'u', 10);
        json[at] = 0xFF;

        var problem = Assert.Throws<AssessmentEventInvalidException>(() => AssessmentEventParser.Parse(json));

        Assert.Equal(AssessmentEventInvalidException.MalformedJson, problem.Reason);
        Assert.Contains($"offset {at}", problem.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_message_processor_dead_letters_invalid_utf8_at_once_instead_of_retrying()
    {
        var store = new InMemoryConversationStore();
        var processor = AssessmentSamples.Processor(AssessmentSamples.Service(store));
        var json = Encoding.UTF8.GetBytes(AssessmentSamples.CamelCase());
        var at = Array.IndexOf(json, (byte)'"', 20) + 1;
        json[at] = 0xC3;
        json[at + 1] = 0x28;

        var decision = await processor.ProcessAsync(json, CancellationToken.None);

        var deadLetter = Assert.IsType<ProcessingDecision.DeadLetter>(decision);
        Assert.Equal(AssessmentEventInvalidException.MalformedJson, deadLetter.Reason);
        Assert.Empty(store.AllConversations());
    }

    [Fact]
    public void Markdown_export_escapes_html_from_messages_titles_sources_and_feedback()
    {
        var at = new DateTimeOffset(2026, 11, 29, 10, 0, 0, TimeSpan.Zero);
        var conversation = new Conversation("c1", "alice", "<img src=x onerror=alert(1)>", ConversationStatus.Active, ContextTypes.General, null, null, null, at, at, 2);
        var question = new ConversationMessage("m1", "c1", "alice", MessageRole.User, "What is <b>this</b> & that?", at);
        var answer = new ConversationMessage("m2", "c1", "alice", MessageRole.Assistant, "It says <script>alert('x')</script> [1].", at, "m1",
            Citations: [new Citation(1, "k", "d", "<iframe src=evil>", "docs/`<svg onload=alert(1)>`.html", 2, null, "s")],
            Feedback: new MessageFeedback("down", "<a href=javascript:alert(1)>", at));

        var markdown = ConversationExport.ToMarkdown(conversation, [question, answer]);

        Assert.DoesNotContain("<script", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<iframe", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<svg", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<a ", markdown, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>", markdown, StringComparison.Ordinal);
        Assert.Contains("It says &lt;script&gt;alert('x')&lt;/script&gt; [1].", markdown, StringComparison.Ordinal);
        Assert.Contains("What is &lt;b&gt;this&lt;/b&gt; &amp; that?", markdown, StringComparison.Ordinal);
        Assert.StartsWith("# &lt;img src=x onerror=alert(1)&gt;", markdown, StringComparison.Ordinal);
    }
}
