using System.Text;
using HtmlAgilityPack;
using Microsoft.Extensions.Options;

namespace RagFunctions.Core.Ingestion.Extraction;

/// <summary>.html/.htm: visible text only. Scripts, styles, navigation, templates and hidden elements are dropped;
/// headings become Heading blocks, list items ListItem, table rows "cell | cell", pre Code, the rest paragraphs.</summary>
public sealed class HtmlExtractor(IOptions<IngestionLimits>? limits = null) : IDocumentExtractor
{
    private readonly IngestionLimits _limits = limits?.Value ?? new IngestionLimits();

    private static readonly HashSet<string> Dropped = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "noscript", "nav", "template", "svg", "canvas", "iframe", "object", "button", "select", "head",
    };

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "aside", "header", "footer", "blockquote", "figure", "figcaption",
        "form", "fieldset", "address", "dl", "dt", "dd", "ul", "ol", "table", "thead", "tbody", "tfoot", "caption",
        "hr", "br", "details", "summary", "body", "html",
    };

    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm", ".xhtml"];

    public async Task<ExtractedDocument> ExtractAsync(Stream content, string fileName, CancellationToken cancellationToken)
    {
        var html = await StreamBytes.ReadTextAsync(content, cancellationToken).ConfigureAwait(false);
        // Parse errors and the id index are never read here; recording them cost about a third of the parse (measured).
        var document = new HtmlDocument
        {
            OptionCheckSyntax = false,
            OptionUseIdAttribute = false,
            // HtmlAgilityPack's parse slows with depth (20k unclosed levels took 4.7 s); this stops it at the limit.
            OptionMaxNestedChildNodes = _limits.MaxNestingDepth,
        };
        try
        {
            document.LoadHtml(html);
        }
        catch (Exception ex) when (ex.Message.Contains("nested", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExtractionFailedException(IngestionLimits.Breach(
                "HTML element nesting", _limits.MaxNestingDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"), ex);
        }

        // The walkers below recurse once per element level; HtmlAgilityPack's own parse is iterative (20k levels parse
        // fine), so the depth is measured on the tree before anything recursive runs.
        CheckDepth(document.DocumentNode, _limits.MaxNestingDepth, cancellationToken);

        var titleNode = FirstElement(document.DocumentNode, "title");
        var title = titleNode is null ? null : DeEntitize(titleNode.InnerText);

        var walker = new Walker(cancellationToken);
        walker.Visit(document.DocumentNode);
        walker.Flush();
        var collector = walker.Collector;

        // The <title> usually repeats the site name; a first <h1> is the better fallback only when there is no <title>.
        return collector.Build(title, fileName);
    }

    /// <summary>Fails the document when elements nest deeper than the limit; iterative, so any depth is measured safely.</summary>
    private static void CheckDepth(HtmlNode root, int maxDepth, CancellationToken cancellationToken)
    {
        var pending = new Stack<(HtmlNode Node, int Depth)>();
        pending.Push((root, 0));
        var visited = 0;
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            if (depth > maxDepth)
            {
                throw new ExtractionFailedException(IngestionLimits.Breach(
                    "HTML element nesting", maxDepth, nameof(IngestionLimits.MaxNestingDepth), " levels"));
            }

            if ((++visited & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            foreach (var child in node.ChildNodes)
            {
                pending.Push((child, depth + 1));
            }
        }
    }

    /// <summary>The first element with this (lower-case) name in document order, as XPath <c>//name</c> finds it, without XPath.</summary>
    private static HtmlNode? FirstElement(HtmlNode node, string name)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child.NodeType == HtmlNodeType.Element)
            {
                if (child.Name == name)
                {
                    return child;
                }

                if (child.HasChildNodes && FirstElement(child, name) is { } found)
                {
                    return found;
                }
            }
        }

        return null;
    }

    // Most text nodes hold no entity; skip the decoder's copy for them.
    private static string DeEntitize(string text) => text.Contains('&', StringComparison.Ordinal) ? HtmlEntity.DeEntitize(text) : text;

    private static bool IsHidden(HtmlNode node)
    {
        if (!node.HasAttributes)
        {
            return false;
        }

        if (node.Attributes.Contains("hidden") || node.GetAttributeValue("aria-hidden", string.Empty) == "true")
        {
            return true;
        }

        var style = node.GetAttributeValue("style", string.Empty);
        if (style.Length == 0)
        {
            return false;
        }

        style = style.Replace(" ", string.Empty, StringComparison.Ordinal);
        return style.Contains("display:none", StringComparison.OrdinalIgnoreCase)
            || style.Contains("visibility:hidden", StringComparison.OrdinalIgnoreCase);
    }

    private sealed class Walker(CancellationToken cancellationToken)
    {
        private readonly StringBuilder _inline = new();
        private int _visited;

        public BlockCollector Collector { get; } = new();

        public void Flush(BlockKind kind = BlockKind.Paragraph)
        {
            if (_inline.Length > 0)
            {
                Collector.Add(_inline.ToString(), kind);
                _inline.Clear();
            }
        }

        public void Visit(HtmlNode node)
        {
            if ((++_visited & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            switch (node.NodeType)
            {
                case HtmlNodeType.Comment:
                    return;
                case HtmlNodeType.Text:
                    _inline.Append(DeEntitize(node.InnerText));
                    return;
                case HtmlNodeType.Document:
                    VisitChildren(node);
                    return;
            }

            var name = node.Name;
            if (Dropped.Contains(name) || IsHidden(node))
            {
                return;
            }

            if (name.Length == 2 && name[0] is 'h' or 'H' && name[1] is >= '1' and <= '6')
            {
                Flush();
                _inline.Append(InlineText(node));
                Flush(BlockKind.Heading);
                return;
            }

            switch (name.ToLowerInvariant())
            {
                case "li":
                    Flush();
                    VisitChildrenAsBlock(node, BlockKind.ListItem);
                    return;
                case "tr":
                    Flush();
                    var cells = node.ChildNodes
                        .Where(c => c.Name is "td" or "th" && !IsHidden(c))
                        .Select(InlineText)
                        .Select(TextNormalization.CollapseWhitespace)
                        .Where(c => c.Length > 0);
                    Collector.Add(string.Join(" | ", cells), BlockKind.TableRow);
                    return;
                case "pre":
                    Flush();
                    Collector.Add(DeEntitize(node.InnerText), BlockKind.Code);
                    return;
                case "img":
                    var alt = node.GetAttributeValue("alt", string.Empty);
                    if (alt.Length > 0)
                    {
                        _inline.Append(' ').Append(DeEntitize(alt)).Append(' ');
                    }

                    return;
            }

            if (BlockElements.Contains(name))
            {
                Flush();
                VisitChildren(node);
                Flush();
                return;
            }

            // Inline element: keep a word boundary for elements browsers render apart (e.g. <td> outside a <tr>).
            VisitChildren(node);
            if (name is "td" or "th" or "label" or "option")
            {
                _inline.Append(' ');
            }
        }

        private void VisitChildrenAsBlock(HtmlNode node, BlockKind kind)
        {
            var nested = node.ChildNodes.Any(c => c.Name is "ul" or "ol" or "p" or "div" or "table" or "pre");
            if (!nested)
            {
                _inline.Append(InlineText(node));
                Flush(kind);
                return;
            }

            // A list item with nested blocks: its own leading text is the item, nested blocks follow as their own blocks.
            foreach (var child in node.ChildNodes)
            {
                if (child.Name is "ul" or "ol" or "p" or "div" or "table" or "pre")
                {
                    Flush(kind);
                    Visit(child);
                }
                else
                {
                    Visit(child);
                }
            }

            Flush(kind);
        }

        private void VisitChildren(HtmlNode node)
        {
            foreach (var child in node.ChildNodes)
            {
                Visit(child);
            }
        }

        private static string InlineText(HtmlNode node)
        {
            var sb = new StringBuilder();
            Append(node, sb);
            return sb.ToString();

            static void Append(HtmlNode n, StringBuilder sb)
            {
                foreach (var child in n.ChildNodes)
                {
                    switch (child.NodeType)
                    {
                        case HtmlNodeType.Text:
                            sb.Append(DeEntitize(child.InnerText));
                            break;
                        case HtmlNodeType.Element when !Dropped.Contains(child.Name) && !IsHidden(child):
                            if (child.Name == "br" || BlockElements.Contains(child.Name))
                            {
                                sb.Append(' ');
                            }

                            Append(child, sb);
                            if (BlockElements.Contains(child.Name) || child.Name is "td" or "th" or "li")
                            {
                                sb.Append(' ');
                            }

                            break;
                    }
                }
            }
        }
    }
}
