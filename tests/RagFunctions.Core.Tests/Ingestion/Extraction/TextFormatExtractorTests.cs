using System.Text;
using RagFunctions.Core.Ingestion.Extraction;

namespace RagFunctions.Core.Tests.Ingestion.Extraction;

public sealed class TextFormatExtractorTests
{
    private static async Task<ExtractedDocument> Extract(IDocumentExtractor extractor, string content, string fileName)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(content));
        return await extractor.ExtractAsync(stream, fileName, CancellationToken.None);
    }

    [Fact]
    public async Task Plain_text_splits_on_blank_lines_and_normalises_whitespace()
    {
        var document = await Extract(new PlainTextExtractor(), "First   paragraph\r\ncontinues here.\r\n\r\n\r\n\tSecond\u00A0one.\n", "notes.txt");

        Assert.Equal(["First paragraph continues here.", "Second one."], document.Blocks.Select(b => b.Text));
        Assert.All(document.Blocks, b => Assert.Equal(BlockKind.Paragraph, b.Kind));
        Assert.Equal("notes", document.Title);
    }

    [Fact]
    public async Task Markdown_keeps_headings_lists_code_and_tables_and_strips_inline_markup()
    {
        const string markdown = """
            ---
            title: Router Handbook
            ---
            # Setup

            Plug in the **power** cable, then see [the manual](http://example.com/m).

            - Check the `WAN` light
            - Press *reset*

            ```bash
            ping   192.168.0.1
            ```

            Troubleshooting
            ---------------

            | Symptom | Fix |
            |---------|-----|
            | No light | Replace adapter |
            """;

        var document = await Extract(new MarkdownExtractor(), markdown, "router.md");

        Assert.Equal("Router Handbook", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, "Setup", "Setup"),
                (BlockKind.Paragraph, "Plug in the power cable, then see the manual.", "Setup"),
                (BlockKind.ListItem, "Check the WAN light", "Setup"),
                (BlockKind.ListItem, "Press reset", "Setup"),
                (BlockKind.Code, "ping   192.168.0.1", "Setup"),
                (BlockKind.Heading, "Troubleshooting", "Troubleshooting"),
                (BlockKind.TableRow, "Symptom | Fix", "Troubleshooting"),
                (BlockKind.TableRow, "No light | Replace adapter", "Troubleshooting"),
            ],
            document.Blocks.Select(b => (b.Kind, b.Text, b.Heading)));
    }

    [Fact]
    public async Task Html_keeps_visible_text_and_headings_and_drops_script_style_nav_and_hidden()
    {
        const string html = """
            <!DOCTYPE html><html><head><title>Help Centre</title>
            <style>.x { color: red }</style><script>var secretToken = "abc";</script></head>
            <body><nav><a href="/">Home</a> | <a href="/about">About us</a></nav>
            <h1>Resetting your password</h1>
            <p>Open <b>Settings</b> &amp; choose <i>Security</i>.</p>
            <noscript>Enable JavaScript please</noscript>
            <div style="display: none">invisible banner</div>
            <ul><li>Enter your email</li><li>Follow the link</li></ul>
            <table><tr><th>Plan</th><th>Price</th></tr><tr><td>Basic</td><td>$5</td></tr></table>
            <script>trackPageView();</script>
            </body></html>
            """;

        var document = await Extract(new HtmlExtractor(), html, "help.html");

        Assert.Equal("Help Centre", document.Title);
        Assert.Equal(
            [
                (BlockKind.Heading, "Resetting your password"),
                (BlockKind.Paragraph, "Open Settings & choose Security."),
                (BlockKind.ListItem, "Enter your email"),
                (BlockKind.ListItem, "Follow the link"),
                (BlockKind.TableRow, "Plan | Price"),
                (BlockKind.TableRow, "Basic | $5"),
            ],
            document.Blocks.Select(b => (b.Kind, b.Text)));
        Assert.All(document.Blocks, b => Assert.Equal("Resetting your password", b.Heading));
        foreach (var hidden in new[] { "secretToken", "color", "About us", "JavaScript", "invisible", "trackPageView" })
        {
            Assert.DoesNotContain(hidden, document.FullText, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Html_without_title_uses_the_first_heading()
    {
        var document = await Extract(new HtmlExtractor(), "<body><h2>Shipping rates</h2><p>Flat fee.</p></body>", "rates.htm");

        Assert.Equal("Shipping rates", document.Title);
    }

    [Fact]
    public async Task Csv_rows_become_records_of_column_value_lines()
    {
        const string csv = "MENU,ISSUE,EXPECTED\r\nBilling,\"Invoice not received, customer waited 3 days\",Resend invoice\r\nLogin,Password reset mail missing,\r\n";

        var document = await Extract(new CsvExtractor(), csv, "support-kb.csv");

        Assert.Equal(
            [
                "MENU: Billing\nISSUE: Invoice not received, customer waited 3 days\nEXPECTED: Resend invoice",
                "MENU: Login\nISSUE: Password reset mail missing",
            ],
            document.Blocks.Select(b => b.Text));
        Assert.All(document.Blocks, b => Assert.Equal(BlockKind.Record, b.Kind));
        Assert.Equal("support-kb", document.Title);
    }

    [Fact]
    public async Task Csv_with_semicolons_is_detected()
    {
        var document = await Extract(new CsvExtractor(), "Name;City\nAyu;Bandung\n", "people.csv");

        Assert.Equal("Name: Ayu\nCity: Bandung", Assert.Single(document.Blocks).Text);
    }

    [Fact]
    public async Task Json_array_items_become_records_of_path_value_lines()
    {
        const string json = """
            [
              { "question": "How do I reset?", "answer": "Hold the button.", "tags": ["router", "reset"] },
              { "question": "Warranty?", "meta": { "years": 2, "transferable": false } }
            ]
            """;

        var document = await Extract(new JsonExtractor(), json, "faq.json");

        Assert.Equal(
            [
                "question: How do I reset?\nanswer: Hold the button.\ntags[0]: router\ntags[1]: reset",
                "question: Warranty?\nmeta.years: 2\nmeta.transferable: false",
            ],
            document.Blocks.Select(b => b.Text));
        Assert.All(document.Blocks, b => Assert.Equal(BlockKind.Record, b.Kind));
    }

    [Fact]
    public async Task Json_object_groups_per_property_and_per_element_of_object_arrays()
    {
        const string json = """{ "title": "Store FAQ", "items": [ { "q": "Open?", "a": "9-5" } ], "contact": { "email": "a@b.c" } }""";

        var document = await Extract(new JsonExtractor(), json, "store.json");

        Assert.Equal("Store FAQ", document.Title);
        Assert.Equal(["title: Store FAQ", "items[0].q: Open?\nitems[0].a: 9-5", "contact.email: a@b.c"], document.Blocks.Select(b => b.Text));
    }
}
