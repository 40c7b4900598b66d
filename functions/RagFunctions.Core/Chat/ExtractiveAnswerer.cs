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
/// Selection: a sentence's score is the share of the question's content words (by stem, each weighted by how rare it is among the
/// sentences at hand) it contains; a word also matches its related action verbs (<see cref="GroundingTerms.Related"/>: "change" ~
/// "set"). Words that only the search query adds (the topic of earlier turns) count half, and may also be found in the two sentences
/// before; a follow-up's sentence must contain one of the message's own words when any source does. Sentences under
/// <see cref="MinSentenceScore"/> or under <see cref="RelativeScore"/> of the best are left out, and a sentence is quoted once even
/// when several files hold it. Sentences already quoted by the answer being regenerated are never quoted again; a message that
/// continues the thread never gets the sentences earlier answers of the conversation quoted (it hears that nothing more was found
/// when only those answer), while a question that stands alone gets its best sentences either way.</remarks>
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

    /// <summary>Weight of a word the search query carried over from earlier turns, against 1 for a word of the message itself.</summary>
    private const double CarriedWeight = 0.5;

    /// <summary>How many sentences before a sentence still lend it their topic (for the carried words of a follow-up).</summary>
    private const int NearbySentences = 2;

    internal const string Note = "Extractive answer (no language model is configured): the most relevant sentences from your documents, quoted as found.";

    /// <summary>The answer when no source is relevant enough: no citation, no follow-ups.</summary>
    public const string NothingFound = "The indexed documents do not cover this question, so I cannot answer it from them. (Extractive answer: no language model is configured.)";

    internal const string NoSentence = "The passages found mention some of these words, but none of their sentences answers the question, so I cannot answer it from the documents. (Extractive answer: no language model is configured.)";

    internal const string NothingNew = "The passages found for this follow-up hold nothing beyond the sentences I already quoted above, so I cannot add to that answer from the documents. (Extractive answer: no language model is configured.)";

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
        // The earlier turns of the conversation, as the prompt's history carries them (the model would see them the same way).
        var earlierAnswers = all.Where(m => m.Role == ChatRole.Assistant).Select(m => m.Text).ToList();
        if (profile is not null && turn is not null && Assessment.AdvisorAnswers.IsProfileQuestion(turn.Question))
        {
            return Advise(Assessment.AssessmentProfile.From(profile), turn, earlierAnswers);
        }

        return FromDocuments(turn, earlierAnswers);
    }

    /// <summary>An advisor conversation's career question: the profile answer, then any document sentences that answer it, then other profile questions.</summary>
    private static string Advise(Assessment.AssessmentProfile profile, PromptFormat.ParsedUserTurn turn, IReadOnlyList<string> earlierAnswers)
    {
        var sb = new StringBuilder(Assessment.AdvisorAnswers.Compose(profile, turn.Question));
        var documents = FromDocuments(turn, earlierAnswers);
        if (documents.StartsWith(Note, StringComparison.Ordinal))
        {
            var quoted = FollowupParser.Parse(documents[Note.Length..]).Text.Trim();
            sb.Append("\n\nFrom your documents:\n").Append(quoted);
        }

        var next = profile.SuggestedQuestions.Where(q => !string.Equals(q, turn.Question.Trim(), StringComparison.OrdinalIgnoreCase)).Take(FollowupParser.MaxQuestions);
        sb.Append("\n\n").AppendJoin(' ', next.Select(q => $"<<{q.Replace('<', ' ').Replace('>', ' ')}>>"));
        return sb.ToString();
    }

    /// <param name="earlierAnswers">The conversation's earlier assistant answers (from the prompt's history): their sentences are
    /// quoted again only when nothing new answers, so a follow-up does not get the previous answer back.</param>
    private static string FromDocuments(PromptFormat.ParsedUserTurn? turn, IReadOnlyList<string> earlierAnswers)
    {
        if (turn is null || turn.Sources.Count == 0)
        {
            return NothingFound;
        }

        var own = GroundingTerms.Stems(turn.Question);
        var added = turn.SearchQuery is null ? [] : GroundingTerms.Stems(turn.SearchQuery).Where(s => !own.Contains(s)).ToList();
        if (own.Count + added.Count == 0)
        {
            return NothingFound;
        }

        // A follow-up ("How can I change it?") asks something new about the earlier topic: its own words say what, the carried words
        // (added by the search query) only say about what.
        var followUp = own.Count > 0 && added.Count > 0;
        var ownConcepts = own.Select(stem => new Concept(stem, GroundingTerms.Related(stem), Own: true));
        var carried = added.Select(stem => new Concept(stem, new HashSet<string>(StringComparer.Ordinal) { stem }, Own: false));
        IReadOnlyList<Concept> concepts = [.. ownConcepts, .. carried];

        // Each line of an earlier extractive answer is one quoted sentence (lines first: a quoted heading has no final period).
        var regenerated = Keys(turn.PreviousAnswers);
        var quotedEarlier = Keys(earlierAnswers);
        var sentences = new List<Sentence>();
        foreach (var source in turn.Sources)
        {
            var order = 0;
            var recent = new Queue<HashSet<string>>();
            (string Text, int Order)? label = null;
            foreach (var text in SentenceSplitter.Split(source.Content))
            {
                order++;
                var words = GroundingTerms.Words(text);
                var stems = words.Select(GroundingTerms.Stem).ToHashSet(StringComparer.Ordinal);
                // The topic of the sentences just before stays in force ("The TCP port ... This parameter can only be set at server start").
                var nearby = recent.SelectMany(x => x).ToHashSet(StringComparer.Ordinal);
                if (text.Split(' ').Length >= MinSentenceWords)
                {
                    // "This parameter ..." means the entry it stands under ("port (integer)"): quoted with that label, it says what it is about.
                    var subject = label is { } l && order - l.Order <= NearbySentences + 1 && Referring().IsMatch(text) ? l.Text : null;
                    sentences.Add(new Sentence(source, order, text, Key(text), stems, [.. words.Select(GroundingTerms.Light)], nearby) { Label = subject });
                }
                else
                {
                    // Headings, entry terms and fragments: not quoted alone, but they name what the next sentences are about.
                    label = (text, order);
                }
                recent.Enqueue(stems);
                if (recent.Count > NearbySentences)
                {
                    recent.Dequeue();
                }
            }
        }

        // Words that occur in many of the sentences at hand ("postgresql" in its own manual) tell little about which one answers;
        // words that occur nowhere cannot decide either and are left out of the score.
        var lightsOf = GroundingTerms.Words(turn.Question + " " + (turn.SearchQuery ?? ""))
            .GroupBy(GroundingTerms.Stem, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(GroundingTerms.Light).ToHashSet(StringComparer.Ordinal), StringComparer.Ordinal);
        double Match(Concept concept, Sentence sentence, bool nearbyToo)
        {
            foreach (var stem in concept.Stems)
            {
                if (sentence.Stems.Contains(stem))
                {
                    // Short stems conflate unrelated words ("porting" ~ "port", "settings" ~ "set"): those must match as the same word.
                    var exact = stem == concept.Stem
                        ? lightsOf.TryGetValue(stem, out var lights) && lights.Overlaps(sentence.Lights)
                        : sentence.Lights.Contains(stem);
                    return exact ? 1 : stem.Length >= 5 ? 0.75 : 0;
                }

                if (nearbyToo && sentence.Nearby.Contains(stem))
                {
                    return 1;
                }
            }

            return 0;
        }

        var unique = sentences.DistinctBy(x => x.Key).ToList();
        var df = concepts.ToDictionary(c => c, c => unique.Count(x => Match(c, x, nearbyToo: false) > 0));
        double Weight(Concept c) => df[c] == 0 ? 0 : (c.Own ? 1 : CarriedWeight) * Math.Log(1 + ((double)unique.Count / df[c]));

        // When the follow-up's own words occur in the sources, a sentence must contain one of them: the carried topic alone would only
        // find the previous answer again.
        var ownRequired = followUp && concepts.Any(c => c.Own && df[c] > 0);
        double Score(Sentence sentence)
        {
            double total = 0, matched = 0, ownMatched = 0;
            foreach (var concept in concepts)
            {
                var w = Weight(concept);
                total += w;
                var m = w * Match(concept, sentence, nearbyToo: followUp && !concept.Own);
                matched += m;
                ownMatched += concept.Own ? m : 0;
            }

            return total <= 0 || (ownRequired && ownMatched <= 0) ? 0 : matched / total;
        }

        // The same sentence may stand in several places (several files, or a phrase a manual repeats): its best place counts.
        var scored = sentences.Select(x => (Sentence: x, Score: Score(x)))
            .Where(x => x.Score >= MinSentenceScore)
            .GroupBy(x => x.Sentence.Key, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(x => x.Score).ThenBy(x => x.Sentence.Source.Number).ThenBy(x => x.Sentence.Order).First())
            .ToList();
        var skippedAsQuoted = scored.Count(x => regenerated.Contains(x.Sentence.Key));
        var candidates = scored.Where(x => !regenerated.Contains(x.Sentence.Key))
            .Select(x => new Candidate(x.Score, x.Sentence.Source, x.Sentence.Order, x.Sentence.Label is { } l ? $"{l}: {x.Sentence.Text}" : x.Sentence.Text, quotedEarlier.Contains(x.Sentence.Key)))
            .ToList();
        // A message that continues the thread (the search query carried earlier words) asks for something beyond what was already
        // quoted: those sentences are left out, and when nothing else answers it hears so. A question that stands alone gets its
        // best sentences, quoted before or not.
        var continuing = added.Count > 0;
        var pool = continuing ? candidates.Where(c => !c.QuotedEarlier).ToList() : candidates;
        if (continuing && pool.Count == 0 && candidates.Count > 0)
        {
            return NothingNew;
        }

        var best = pool.Count == 0 ? 0 : pool.Max(c => c.Score);
        var chosen = pool
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
        var ownSet = own.ToHashSet(StringComparer.Ordinal);
        var followups = Followups(chosen, ownSet, own.Count > 0 ? turn.Question : turn.SearchQuery ?? turn.Question);
        if (followups.Count > 0)
        {
            sb.Append("\n\n").AppendJoin(' ', followups.Select(q => $"<<{q.Replace('<', ' ').Replace('>', ' ')}>>"));
        }

        return sb.ToString();
    }

    /// <summary>Comparison keys of the sentences quoted in <paramref name="answers"/> (one quoted sentence per line).</summary>
    private static HashSet<string> Keys(IEnumerable<string> answers)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var sentence in answers.SelectMany(a => a.Split('\n')).SelectMany(SentenceSplitter.Split))
        {
            keys.Add(Key(sentence));
            // A sentence quoted under its entry label ("port (integer): This parameter ...") is the sentence after the label.
            if (sentence.IndexOf(": ", StringComparison.Ordinal) is > 0 and var colon)
            {
                keys.Add(Key(sentence[(colon + 2)..]));
            }
        }

        return keys;
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

    private sealed record Candidate(double Score, PromptFormat.ParsedSource Source, int Order, string Sentence, bool QuotedEarlier = false);

    /// <summary>A sentence of a source with its stems, its plural-only word forms and the stems of the sentences just before it.</summary>
    private sealed record Sentence(PromptFormat.ParsedSource Source, int Order, string Text, string Key, HashSet<string> Stems, HashSet<string> Lights, HashSet<string> Nearby)
    {
        /// <summary>The entry term a sentence that opens with "This ..." or "It ..." stands under, quoted before it.</summary>
        public string? Label { get; init; }
    }

    /// <summary>A question word by stem with the stems that count as the same word for answering (<see cref="GroundingTerms.Related"/>);
    /// <paramref name="Own"/>: the user wrote it in this message (not carried over from earlier turns by the search query).</summary>
    private sealed record Concept(string Stem, IReadOnlySet<string> Stems, bool Own);

    [GeneratedRegex(@"^(?:This|These|It|Its|Such)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Referring();

    [GeneratedRegex(@"\S+\s*", RegexOptions.CultureInvariant)]
    private static partial Regex Piece();

    [GeneratedRegex(@"\s*\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex CitationMark();

    // Identifiers (snake_case, dotted or with digits) and mid-sentence capitalised names: what a cited sentence introduces.
    [GeneratedRegex(@"(?<=\s)(?:[A-Za-z][A-Za-z0-9]*_[A-Za-z0-9_]+|[A-Za-z]+[0-9][A-Za-z0-9]*|[A-Z][a-z]+[A-Z][A-Za-z]+|[A-Z]{3,}[a-z]*)\b", RegexOptions.CultureInvariant)]
    private static partial Regex Distinctive();
}
