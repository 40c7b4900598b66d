using System.Text;

namespace RagFunctions.Core.Chat;

/// <summary>Cleans streamed answer text on the fly so the pieces the client sees match the final saved answer:
/// unknown citations are dropped and the follow-up section (<c>&lt;&lt;…&gt;&gt;</c> or a "Follow-up questions" heading) is never shown.
/// Text that could still turn into one of those (a trailing "[1", "&lt;", "Follow-") is held back until it is decidable.</summary>
public sealed class StreamingAnswerFilter(Func<int, bool> isValidCitation)
{
    private static readonly string[] Headings = ["follow-up questions", "followup questions", "follow up questions", "suggested follow-up questions"];

    private readonly StringBuilder _pending = new();
    private bool _stopped;
    private bool _pendingAtLineStart = true;

    /// <summary>Adds a piece from the model; returns the text that is safe to show now (possibly empty).</summary>
    public string Push(string? piece)
    {
        if (_stopped || string.IsNullOrEmpty(piece))
        {
            return "";
        }

        _pending.Append(piece);
        var text = _pending.ToString();
        var stop = StopIndex(text);
        if (stop >= 0)
        {
            _stopped = true;
            _pending.Clear();
            return Emit(text[..stop]);
        }

        var hold = HoldIndex(text);
        _pendingAtLineStart = hold == 0 ? _pendingAtLineStart : text[hold - 1] == '\n';
        _pending.Clear().Append(text, hold, text.Length - hold);
        return Emit(text[..hold]);
    }

    /// <summary>The held-back rest once the model has finished.</summary>
    public string Flush()
    {
        if (_stopped)
        {
            return "";
        }

        var text = _pending.ToString();
        _pending.Clear();
        var unclosed = text.IndexOf('<', StringComparison.Ordinal);
        return Emit(unclosed >= 0 && text.IndexOf("<<", StringComparison.Ordinal) == unclosed ? text[..unclosed] : text);
    }

    private string Emit(string text) => text.Length == 0 ? "" : CitationParser.Clean(text, isValidCitation);

    private int StopIndex(string text)
    {
        var stop = text.IndexOf("<<", StringComparison.Ordinal);
        var heading = FollowupParser.Heading().Match(text);
        while (heading.Success && heading.Index == 0 && text[0] != '\n' && !_pendingAtLineStart)
        {
            heading = heading.NextMatch();
        }

        if (heading.Success && (stop < 0 || heading.Index < stop))
        {
            stop = heading.Index;
        }

        return stop;
    }

    private int HoldIndex(string text)
    {
        var hold = text.Length;
        if (text.EndsWith('<'))
        {
            hold = text.Length - 1;
        }

        var bracket = text.LastIndexOf('[');
        if (bracket >= 0 && text.IndexOf(']', bracket) < 0 && text.AsSpan(bracket + 1).IndexOfAnyExcept("0123456789, ") < 0)
        {
            hold = Math.Min(hold, bracket);
        }

        // A space may belong to a citation that follows (removed together with it).
        if (hold > 0 && hold == text.Length && text[hold - 1] is ' ' or '\t')
        {
            hold--;
        }
        else if (hold > 0 && hold < text.Length && text[hold] == '[' && text[hold - 1] is ' ' or '\t')
        {
            hold--;
        }

        var newline = text.LastIndexOf('\n');
        var lineStart = newline >= 0 ? newline + 1 : _pendingAtLineStart ? 0 : -1;
        if (lineStart >= 0 && lineStart < text.Length)
        {
            var line = text[lineStart..].TrimStart(' ', '\t', '#', '*', '_').ToLowerInvariant();
            if (line.Length == 0 || Headings.Any(h => h.StartsWith(line, StringComparison.Ordinal) || line.StartsWith(h, StringComparison.Ordinal)))
            {
                hold = Math.Min(hold, lineStart);
            }
        }

        return hold;
    }
}
