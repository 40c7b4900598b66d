using System.Runtime.CompilerServices;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.AI;
using RagFunctions.Core.Chat.Grounding;

namespace RagFunctions.Core.Chat;

/// <summary>The local default "model" when no LLM is configured: answers with the sentences of the retrieved sources that best
/// match the question (each followed by its [n]), says that it is extractive, and reports zero model tokens.</summary>
/// <remarks>Design: it reads the question and the sources from the prompt it receives (the last user message, in <see cref="PromptFormat"/>),
/// exactly as a real model would, instead of through a side channel such as <c>ChatOptions.AdditionalProperties</c>. That keeps it a plain
/// <see cref="IChatClient"/> that is interchangeable with real models in the fallback chain, exercises the real prompt in every local test,
/// and avoids property bags that remote adapters might forward to a provider. The format is owned by one class, so writer and reader cannot drift.
/// Selection: a sentence's score is the share of the question's content words (by stem) it contains; words that only the search
/// query adds (the topic of earlier turns) count half. Sentences under half the best score, or already quoted (from any source,
/// or by an answer being regenerated), are left out.</remarks>
public sealed partial class ExtractiveAnswerer : IChatClient
{
    public const string ModelName = "extractive";
    private const int MaxSentences = 3;
    private const int MaxSentenceChars = 400;
    private const int MinSentenceWords = 3;

    /// <summary>Below this share of the question's words a sentence is not an answer, whatever the others score.</summary>
    private const double MinSentenceScore = 0.3;

    /// <summary>A sentence is quoted only when it scores at least this share of the best one: a weaker one answers something else.</summary>
    private const double RelativeScore = 0.7;

    internal const string Note = "Extractive answer (no language model is configured): the most relevant sentences from your documents, quoted as found.";

    /// <summary>The answer when no source is relevant enough: no citation, no follow-ups.</summary>
    public const string NothingFound = "The indexed documents do not cover this question, so I cannot answer it from them. (Extractive answer: no language model is configured.)";

    internal const string NoSentence = "The passages found mention some of these words, but none of their sentences answers the question, so I cannot answer it from the documents. (Extractive answer: no language model is configured.)";

    internal const string NoOtherAnswer = "There is no other answer in the documents: every passage that matches this question was already quoted. (Extractive answer: no language model is configured.)";

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var text = Compose(messages);
        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, text)) { ModelId = ModelName, Usage = NoTokens() });
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

        // No model ran: the usage is truthfully zero (not an estimate of the quoted text).
        yield return new ChatResponseUpdate(ChatRole.Assistant, [new UsageContent(NoTokens())]) { ModelId = ModelName };
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }

    private static UsageDetails NoTokens() => new() { InputTokenCount = 0, OutputTokenCount = 0, TotalTokenCount = 0 };

    internal static string Compose(IEnumerable<ChatMessage> messages)
    {
        var all = messages.ToList();
        var last = all.LastOrDefault(m => m.Role == ChatRole.User)?.Text ?? "";
        var turn = PromptFormat.ParseUserTurn(last);
        var profile = PromptFormat.ParseProfile(all.Where(m => m.Role == ChatRole.System).Select(m => m.Text));
        if (profile is not null && turn is not null && Assessment.AdvisorAnswers.IsProfileQuestion(turn.Question))
        {
            return Advise(Assessment.AssessmentProfile.From(profile), turn);
        }

        return FromDocuments(turn);
    }

    /// <summary>An advisor conversation's career question: the profile answer, then any document sentences that answer it, then other profile questions.</summary>
    private static string Advise(Assessment.AssessmentProfile profile, PromptFormat.ParsedUserTurn turn)
    {
        var sb = new StringBuilder(Assessment.AdvisorAnswers.Compose(profile, turn.Question));
        var documents = FromDocuments(turn);
        if (documents.StartsWith(Note, StringComparison.Ordinal))
        {
            var quoted = FollowupParser.Parse(documents[Note.Length..]).Text.Trim();
            sb.Append("\n\nFrom your documents:\n").Append(quoted);
        }

        var next = profile.SuggestedQuestions.Where(q => !string.Equals(q, turn.Question.Trim(), StringComparison.OrdinalIgnoreCase)).Take(FollowupParser.MaxQuestions);
        sb.Append("\n\n").AppendJoin(' ', next.Select(q => $"<<{q.Replace('<', ' ').Replace('>', ' ')}>>"));
        return sb.ToString();
    }

    private static string FromDocuments(PromptFormat.ParsedUserTurn? turn)
    {
        if (turn is null || turn.Sources.Count == 0)
        {
            return NothingFound;
        }

        // Each line of an earlier extractive answer is one quoted sentence (lines first: a quoted heading has no final period).
        var own = GroundingTerms.Stems(turn.Question);
        var added = turn.SearchQuery is null ? [] : GroundingTerms.Stems(turn.SearchQuery).Where(s => !own.Contains(s)).ToList();
        IReadOnlyList<string> stems = [.. own, .. added];
        if (stems.Count == 0)
        {
            return NothingFound;
        }

        var ownSet = own.ToHashSet(StringComparer.Ordinal);
        var alreadyQuoted = new HashSet<string>(turn.PreviousAnswers.SelectMany(a => a.Split('\n')).SelectMany(SentenceSplitter.Split).Select(Key), StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var sentences = new List<(PromptFormat.ParsedSource Source, int Order, string Text, string Key, HashSet<string> Stems, HashSet<string> Lights)>();
        foreach (var source in turn.Sources)
        {
            var order = 0;
            foreach (var sentence in SentenceSplitter.Split(source.Content))
            {
                order++;
                var key = Key(sentence);
                if (sentence.Split(' ').Length >= MinSentenceWords && seen.Add(key))
                {
                    var words = GroundingTerms.Words(sentence);
                    sentences.Add((source, order, sentence, key, [.. words.Select(GroundingTerms.Stem)], [.. words.Select(GroundingTerms.Light)]));
                }
                // else: headings and fragments; the same sentence from another file or chunk
            }
        }

        // Words that occur in many of the sentences at hand ("postgresql" in its own manual) tell little about which one answers;
        // words that occur nowhere cannot decide either and are left out of the score.
        var df = stems.ToDictionary(s => s, s => sentences.Count(x => x.Stems.Contains(s)), StringComparer.Ordinal);
        double Weight(string stem) => df[stem] == 0 ? 0 : (ownSet.Contains(stem) ? 1 : 0.5) * Math.Log(1 + ((double)sentences.Count / df[stem]));

        // The question's words by stem, each with the plural-only forms that make an exact match (a stem-only match counts less).
        var lightsOf = GroundingTerms.Words(turn.Question + " " + (turn.SearchQuery ?? ""))
            .GroupBy(GroundingTerms.Stem, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(GroundingTerms.Light).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        double Score(HashSet<string> sentenceStems, HashSet<string> sentenceLights)
        {
            double total = 0, matched = 0;
            foreach (var stem in stems)
            {
                var w = Weight(stem);
                total += w;
                if (sentenceStems.Contains(stem))
                {
                    // Short stems conflate unrelated words ("porting" ~ "port"): those must match as the same word.
                    matched += lightsOf.TryGetValue(stem, out var lights) && lights.Overlaps(sentenceLights) ? w : stem.Length >= 5 ? w * 0.75 : 0;
                }
            }

            return total <= 0 ? 0 : matched / total;
        }

        var candidates = new List<Candidate>();
        var skippedAsQuoted = 0;
        foreach (var sentence in sentences)
        {
            var score = Score(sentence.Stems, sentence.Lights);
            if (score < MinSentenceScore)
            {
                continue;
            }

            if (alreadyQuoted.Contains(sentence.Key))
            {
                skippedAsQuoted++;
                continue;
            }

            candidates.Add(new Candidate(score, sentence.Source, sentence.Order, sentence.Text));
        }

        var best = candidates.Count == 0 ? 0 : candidates.Max(c => c.Score);
        var chosen = candidates
            .Where(c => c.Score >= best * RelativeScore)
            .OrderByDescending(c => c.Score).ThenBy(c => c.Source.Number).ThenBy(c => c.Order)
            .Take(MaxSentences)
            .OrderBy(c => c.Source.Number).ThenBy(c => c.Order)
            .ToList();
        if (chosen.Count == 0)
        {
            return skippedAsQuoted > 0 || turn.PreviousAnswers.Count > 0 ? NoOtherAnswer : NoSentence;
        }

        var sb = new StringBuilder(Note).Append("\n\n");
        sb.AppendJoin('\n', chosen.Select(c => $"{Trim(c.Sentence)} [{c.Source.Number}]"));
        var followups = Followups(chosen, ownSet, own.Count > 0 ? turn.Question : turn.SearchQuery ?? turn.Question);
        if (followups.Count > 0)
        {
            sb.Append("\n\n").AppendJoin(' ', followups.Select(q => $"<<{q.Replace('<', ' ').Replace('>', ' ')}>>"));
        }

        return sb.ToString();
    }

    /// <summary>Follow-ups drawn from what was cited: the terms those sentences introduce (identifiers, names) and the sections they came from.</summary>
    private static List<string> Followups(IReadOnlyList<Candidate> cited, HashSet<string> questionStems, string question)
    {
        var questions = new List<string>();
        var topic = GroundingTerms.Words(question).FirstOrDefault();
        foreach (var term in cited.SelectMany(c => Distinctive().Matches(c.Sentence).Select(m => m.Value.Trim('.', ',', ';', ':')))
                     .Where(t => t.Length >= 3 && !questionStems.Contains(GroundingTerms.Stem(t.ToLowerInvariant())) && !t.Contains('@') && !t.Contains("://", StringComparison.Ordinal))
                     .Distinct(StringComparer.OrdinalIgnoreCase)
                     .Take(2))
        {
            questions.Add($"What is {term}?");
        }

        foreach (var section in cited.Select(c => c.Source.Heading ?? c.Source.Title).Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            if (questions.Count >= FollowupParser.MaxQuestions)
            {
                break;
            }

            questions.Add(topic is null ? $"What else does \"{section}\" explain?" : $"What else does \"{section}\" say about {topic}?");
        }

        return [.. questions.Distinct(StringComparer.OrdinalIgnoreCase).Take(FollowupParser.MaxQuestions)];
    }

    /// <summary>Comparison key of a sentence: letters and digits only, lower case, so layout and punctuation differences do not hide a repeat.</summary>
    private static string Key(string sentence)
    {
        var sb = new StringBuilder(sentence.Length);
        foreach (var c in CitationMark().Replace(sentence, ""))
        {
            if (char.IsLetterOrDigit(c))
            {
                sb.Append(char.ToLowerInvariant(c));
            }
        }

        return sb.ToString();
    }

    private static string Trim(string sentence) =>
        sentence.Length <= MaxSentenceChars ? sentence : sentence[..MaxSentenceChars].TrimEnd() + "…";

    private sealed record Candidate(double Score, PromptFormat.ParsedSource Source, int Order, string Sentence);

    [GeneratedRegex(@"\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Piece();

    [GeneratedRegex(@"\s*\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex CitationMark();

    // Identifiers (snake_case, dotted or with digits) and mid-sentence capitalised names: what a cited sentence introduces.
    [GeneratedRegex(@"(?<=\s)(?:[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+|[A-Za-z]+[0-9][A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]+|[A-Z]{3,}[a-z]*)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Distinctive();
}
