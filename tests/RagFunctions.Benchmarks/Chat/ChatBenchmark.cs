using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Corpus;
using RagFunctions.Benchmarks.Ingest;
using RagFunctions.Benchmarks.Search;
using RagFunctions.Core.Chat;
using RagFunctions.Core.History;
using RagFunctions.Core.Identity;
using RagFunctions.Core.Retrieval;

namespace RagFunctions.Benchmarks.Chat;

/// <summary><c>chat</c>: turns through the real <see cref="ChatTurnPipeline"/> on the local stack (SQLite conversation store, the local
/// hybrid index loaded with N chunks of real text, the local embedder, the extractive answerer as the model). Reports the time of a turn
/// minus the model's time (measured by <see cref="TimedChatClient"/>): first for turns one at a time, then for U users × T turns all at
/// once, followed by a count of the messages in the store.</summary>
internal static class ChatBenchmark
{
    private const int ChunksPerDocument = BenchCorpus.ChunksPerDocument;

    public static async Task<int> RunAsync(BenchArgs args)
    {
        var chunkTarget = args.Int("chunks", 100_000);
        var users = args.Int("users", 50);
        var turns = args.Int("turns", 20);
        var sequentialConversations = args.Int("sequential-conversations", 10);
        var (corpusPath, queriesPath) = await CorpusFilesAsync(args, chunkTarget);
        var data = LocalStack.DataDirectory(args.Optional("data"));
        var settings = new Dictionary<string, string?>
        {
            // One configured model served by the factory below: the product's extractive answerer behind a timing wrapper.
            [$"{ChatPipelineOptions.Section}:Models:0:Name"] = ExtractiveAnswerer.ModelName,
            // Per-user limits stay on (their ledger reads/writes are part of a turn's cost) but far above what the bench asks for.
            ["RagFunctions:Limits:MessagesPerHour"] = "1000000",
            ["RagFunctions:Limits:TokensPerDay"] = "1000000000",
        };
        await using var app = LocalStack.Build(data, settings, services => services.AddSingleton<IChatClientFactory, TimedExtractiveFactory>());
        var services = app.Services;
        var index = services.GetRequiredService<ISearchIndex>();
        var loadClock = Stopwatch.StartNew();
        await index.EnsureReadyAsync(CancellationToken.None);
        var stats = await index.GetStatsAsync(CancellationToken.None);
        if (stats.ChunkCount < chunkTarget)
        {
            await LoadIndexAsync(services, index, BenchCorpus.ReadLines(corpusPath, chunkTarget));
            stats = await index.GetStatsAsync(CancellationToken.None);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"index_chunks={stats.ChunkCount} documents={stats.DocumentCount} dims={stats.Dimensions} prepare_s={loadClock.Elapsed.TotalSeconds:F1} data={data}"));

        var questions = ReadQuestions(queriesPath, corpusPath);
        var store = services.GetRequiredService<IConversationStore>();

        // Warm-up (JIT, pools, caches): not measured.
        await RunUserAsync(services, store, "warmup", turns, questions, 7, new List<TurnTiming>(), new List<Exception>());

        var sequential = new List<TurnTiming>();
        var sequentialErrors = new List<Exception>();
        for (var c = 0; c < sequentialConversations; c++)
        {
            await RunUserAsync(services, store, $"seq-{c}", turns, questions, 1000 + c, sequential, sequentialErrors);
        }

        Report("sequential", sequential, sequentialErrors.Count);

        var concurrent = new List<TurnTiming>();
        var errors = new List<Exception>();
        var wall = Stopwatch.StartNew();
        var conversations = await Task.WhenAll(Enumerable.Range(0, users).Select(u =>
            Task.Run(() => RunUserAsync(services, store, $"user-{u:D3}", turns, questions, u, concurrent, errors))));
        var wallSeconds = wall.Elapsed.TotalSeconds;

        var stored = 0;
        foreach (var (userId, conversationId) in conversations.Where(c => c.ConversationId is not null))
        {
            stored += await CountMessagesAsync(store, userId, conversationId!);
        }

        var pipeline = concurrent.Select(t => t.PipelineMs).Order().ToList();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"turns={concurrent.Count} p50_ms={BenchCorpus.Percentile(pipeline, 0.50):F1} p95_ms={BenchCorpus.Percentile(pipeline, 0.95):F1} errors={errors.Count} messages_expected={users * turns * 2} messages_stored={stored}"));
        Report("concurrent", concurrent, errors.Count, $" users={users} turns_per_user={turns} wall_s={wallSeconds:F1} turns_per_s={concurrent.Count / wallSeconds:F1}");
        foreach (var error in errors.Take(5))
        {
            Console.Error.WriteLine($"error: {error.GetType().Name}: {error.Message}");
        }

        return errors.Count == 0 && stored == users * turns * 2 ? 0 : 1;
    }

    private sealed record TurnTiming(double TotalMs, double ModelMs, double PrepareMs, double SearchMs, double EmbeddingMs)
    {
        public double PipelineMs => TotalMs - ModelMs;
    }

    private static async Task<(string UserId, string? ConversationId)> RunUserAsync(
        IServiceProvider services, IConversationStore store, string userId, int turns, IReadOnlyList<string> questions, int seed,
        List<TurnTiming> timings, List<Exception> errors)
    {
        var caller = new CallerIdentity(userId, userId, [], "bench");
        var random = new Random(seed);
        string? conversationId = null;
        try
        {
            var now = DateTimeOffset.UtcNow;
            var (conversation, _) = await store.CreateIfNotExistsAsync(
                new Conversation(Guid.CreateVersion7().ToString("N"), userId, ConversationTitles.Default, ConversationStatus.Active,
                    ContextTypes.General, null, null, null, now, now, 0),
                CancellationToken.None);
            conversationId = conversation.Id;
        }
        catch (Exception ex)
        {
            lock (errors)
            {
                errors.Add(ex);
            }

            return (userId, null);
        }

        for (var t = 0; t < turns; t++)
        {
            var question = questions[random.Next(questions.Count)];
            var model = new StrongBox<double>();
            TimedChatClient.Current.Value = model;
            var started = Stopwatch.GetTimestamp();
            try
            {
                await using var scope = services.CreateAsyncScope();
                var pipeline = scope.ServiceProvider.GetRequiredService<ChatTurnPipeline>();
                var prepared = await pipeline.PrepareTurnAsync(caller, conversationId, new TurnRequest(question), CancellationToken.None);
                var prepareMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                await pipeline.CompleteAsync(prepared, CancellationToken.None);
                var totalMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                var retrieval = prepared.Diagnostics["retrieval"];
                var timing = new TurnTiming(totalMs, model.Value, prepareMs,
                    retrieval.GetProperty("searchMs").GetDouble(), retrieval.GetProperty("embeddingMs").GetDouble());
                lock (timings)
                {
                    timings.Add(timing);
                }
            }
            catch (Exception ex)
            {
                lock (errors)
                {
                    errors.Add(ex);
                }
            }
            finally
            {
                TimedChatClient.Current.Value = null;
            }
        }

        return (userId, conversationId);
    }

    private static void Report(string phase, List<TurnTiming> timings, int errors, string extra = "")
    {
        static string P(IEnumerable<double> values)
        {
            var sorted = values.Order().ToList();
            return string.Create(CultureInfo.InvariantCulture,
                $"{BenchCorpus.Percentile(sorted, 0.50):F1}/{BenchCorpus.Percentile(sorted, 0.95):F1}/{BenchCorpus.Percentile(sorted, 0.99):F1}");
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"phase={phase} turns={timings.Count} errors={errors} pipeline_ms(p50/p95/p99)={P(timings.Select(t => t.PipelineMs))} model_ms={P(timings.Select(t => t.ModelMs))} total_ms={P(timings.Select(t => t.TotalMs))} prepare_ms={P(timings.Select(t => t.PrepareMs))} search_ms={P(timings.Select(t => t.SearchMs))} query_embedding_ms={P(timings.Select(t => t.EmbeddingMs))}{extra}"));
    }

    private static async Task<int> CountMessagesAsync(IConversationStore store, string userId, string conversationId)
    {
        var count = 0;
        string? before = null;
        do
        {
            var page = await store.ListMessagesAsync(userId, conversationId, 100, before, CancellationToken.None);
            count += page.Items.Count;
            before = page.ContinuationToken;
        }
        while (before is not null);

        return count;
    }

    /// <summary>Embeds the lines with the host's embedder (all cores) and writes them through the host's index in documents of 20 chunks.</summary>
    private static async Task LoadIndexAsync(IServiceProvider services, ISearchIndex index, List<string> lines)
    {
        var embedder = services.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>();
        var vectors = new float[lines.Count][];
        const int batch = 16;
        await Parallel.ForAsync(0, (lines.Count + batch - 1) / batch, async (b, ct) =>
        {
            var start = b * batch;
            var count = Math.Min(batch, lines.Count - start);
            var embeddings = await embedder.GenerateAsync(lines.GetRange(start, count), cancellationToken: ct);
            for (var i = 0; i < count; i++)
            {
                vectors[start + i] = embeddings[i].Vector.ToArray();
            }
        });

        var chunks = BenchCorpus.ToChunks(lines, vectors);
        for (var start = 0; start < chunks.Count; start += ChunksPerDocument)
        {
            var document = chunks.GetRange(start, Math.Min(ChunksPerDocument, chunks.Count - start));
            await index.ReplaceDocumentChunksAsync(document[0].Chunk.DocumentId, document, CancellationToken.None);
        }
    }

    /// <summary>The corpus given with --corpus (and --queries), else the make-corpus output for this size, made on first use.</summary>
    private static async Task<(string Corpus, string? Queries)> CorpusFilesAsync(BenchArgs args, int chunks)
    {
        if (args.Optional("corpus") is { } corpus)
        {
            return (corpus, args.Optional("queries"));
        }

        var folder = Path.Combine(Path.GetTempPath(), "ragfunctions-bench", $"corpus-{chunks}");
        var path = Path.Combine(folder, "corpus.txt");
        if (!File.Exists(path))
        {
            await CorpusBuilder.RunAsync(BenchArgs.Parse(["--out", folder, "--chunks", chunks.ToString(CultureInfo.InvariantCulture)]));
        }

        return (path, Path.Combine(folder, "queries.txt"));
    }

    /// <summary>User questions: the query file when there is one, else the opening words of corpus lines.</summary>
    private static List<string> ReadQuestions(string? queriesPath, string corpusPath)
    {
        if (queriesPath is not null && File.Exists(queriesPath))
        {
            var queries = BenchCorpus.ReadLines(queriesPath, 5000);
            if (queries.Count > 0)
            {
                return queries;
            }
        }

        return BenchCorpus.ReadLines(corpusPath, 5000)
            .Select(l => "What about " + string.Join(' ', l.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(8)) + "?")
            .ToList();
    }
}
