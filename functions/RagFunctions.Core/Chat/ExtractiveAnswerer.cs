using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;

namespace RagFunctions.Core.Chat;

/// <summary>The local default "model" when no LLM is configured: answers with the best-matching sentences of the retrieved sources,
/// each followed by its [n], and says that it is extractive.</summary>
/// <remarks>Design: it reads the question and the sources from the prompt it receives (the last user message, in <see cref="PromptFormat"/>),
/// exactly as a real model would, instead of through a side channel such as <c>ChatOptions.AdditionalProperties</c>. That keeps it a plain
/// <see cref="IChatClient"/> that is interchangeable with real models in the fallback chain, exercises the real prompt in every local test,
/// and avoids property bags that remote adapters might forward to a provider. The format is owned by one class, so writer and reader cannot drift.</remarks>
public sealed partial class ExtractiveAnswerer : IChatClient
{
    public const string ModelName = "extractive";
    private const int MaxSentences = 3;
    private const int MaxSentenceChars = 400;

    internal const string Note = "Extractive answer (no language model is configured): the most relevant sentences from your documents, quoted as found.";
    internal const string NothingFound = "I found nothing in the indexed documents that matches this question. (Extractive answer: no language model is configured.)";

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "the", "and", "for", "are", "but", "not", "you", "your", "with", "what", "which", "who", "whom", "this", "that", "these", "those",
        "was", "were", "will", "would", "can", "could", "should", "does", "did", "has", "have", "had", "how", "why", "when", "where",
        "about", "from", "into", "than", "then", "there", "their", "them", "they", "its", "our", "out", "all", "any", "tell", "please",
    };

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Compose(messages);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = ModelName });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var text = Compose(messages);
        foreach (Match piece in Piece().Matches(text))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new ChatResponseUpdate(ChatRole.Assistant, piece.Value) { ModelId = ModelName };
            await Task.Yield();
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    internal static string Compose(IEnumerable<ChatMessage> messages)
    {
        var last = messages.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        PromptFormat.TryParseUserTurn(last, out var question, out var sources);
        if (sources.Count == 0)
        {
            return NothingFound;
        }

        var terms = Terms(question);
        var candidates = new List<(double Score, int Source, int Order, string Sentence)>();
        foreach (var source in sources)
        {
            var order = 0;
            foreach (var sentence in Sentences(source.Content))
            {
                var sentenceTerms = Terms(sentence);
                var overlap = terms.Count(sentenceTerms.Contains);
                if (overlap > 0)
                {
                    // Overlap decides; earlier sources (better ranked) and earlier sentences break ties.
                    candidates.Add((overlap - source.Number * 0.01 - order * 0.001, source.Number, order, sentence));
                }

                order++;
            }
        }

        var sb = new StringBuilder(Note).Append("\n\n");
        var chosen = candidates.OrderByDescending(c => c.Score).Take(MaxSentences).OrderBy(c => c.Source).ThenBy(c => c.Order).ToList();
        if (chosen.Count == 0)
        {
            var first = sources[0];
            var closest = Sentences(first.Content).FirstOrDefault() ?? first.Content;
            sb.Append("The sources found do not appear to contain the answer. The closest passage is: ")
              .Append(Trim(closest)).Append(" [").Append(first.Number).Append(']');
        }
        else
        {
            sb.AppendJoin('\n', chosen.Select(c => $"{Trim(c.Sentence)} [{c.Source}]"));
        }

        var titles = sources.Select(s => s.Title).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).Take(FollowupParser.MaxQuestions).ToList();
        if (titles.Count > 0)
        {
            sb.Append("\n\n").AppendJoin(' ', titles.Select(t => $"<<What else does \"{t.Replace('<', ' ').Replace('>', ' ')}\" say?>>"));
        }

        return sb.ToString();
    }

    internal static HashSet<string> Terms(string text) =>
        [.. Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => w.Length >= 3 && !StopWords.Contains(w))];

    internal static IEnumerable<string> Sentences(string text) =>
        SentenceBreak().Split(text).Select(s => s.Trim()).Where(s => s.Length >= 3);

    private static string Trim(string sentence)
    {
        var flat = string.Join(' ', sentence.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return flat.Length <= MaxSentenceChars ? flat : flat[..MaxSentenceChars].TrimEnd() + "…";
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*[-*•]|\s*\d+[.)])", RegexOptions.CultureInvariant)]
    private static partial Regex SentenceBreak();

    [GeneratedRegex(@"\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Piece();
}
