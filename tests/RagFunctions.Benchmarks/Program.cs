using RagFunctions.Benchmarks.Chat;
using RagFunctions.Benchmarks.Cli;
using RagFunctions.Benchmarks.Corpus;
using RagFunctions.Benchmarks.Eval;
using RagFunctions.Benchmarks.Ingest;
using RagFunctions.Benchmarks.Search;

// A small dispatcher: each subcommand is one case. Options are "--name value" pairs (see BenchArgs).
if (args.Length == 0)
{
    return Usage();
}

var options = BenchArgs.Parse(args[1..]);
return args[0] switch
{
    "search" => await SearchBenchmark.RunAsync(options),
    "sqlite-load" => await SqliteLoadBenchmark.RunAsync(options),
    "make-corpus" => await CorpusBuilder.RunAsync(options),
    "scale-corpus" => await CorpusScaler.RunAsync(options),
    "ingest" => await IngestBenchmark.RunAsync(options),
    "reingest" => await ReingestBenchmark.RunAsync(options),
    "memory" => await RagFunctions.Benchmarks.Memory.MemoryBenchmark.RunAsync(options),
    "trace-top" => await TraceSummary.RunAsync(options),
    "chunk-scale" => await ChunkScaleBenchmark.RunAsync(options),
    "eval" => await EvalBenchmark.RunAsync(options),
    "chat" => await ChatBenchmark.RunAsync(options),
    "embed-throughput" => await RagFunctions.Benchmarks.Embedding.EmbedThroughputBenchmark.RunAsync(options),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage:
          search      --corpus FILE --queries FILE [--top 10] [--dims 384] [--limit N] [--embedder minilm|arctic-xs|lexical] [--doc-embedder NAME (latency only)]
          sqlite-load --corpus FILE [--dims 384] [--data DIR [--reuse]] [--limit N]
          make-corpus --out DIR [--chunks 100000] [--queries 1000] [--seed 1]
          scale-corpus --corpus FILE --out FILE [--factor 10]   (recombined halves of real chunks: 1M from 100k)
          ingest      --folder DIR [--data DIR] [--parallel N] [--embedder minilm|arctic-xs|lexical] [--intra-op N] [--batches N] [--warmup 800]
          reingest    --file FILE [--rounds 3] [--embedder minilm|arctic-xs|lexical]   (one paragraph edited per round, vector cache on vs. off)
          chat        --chunks N [--users 50] [--turns 20] [--corpus FILE [--queries FILE]] [--data DIR] [--sequential-conversations 10]
          eval        --docs docs.jsonl --queries queries.jsonl --qrels qrels.tsv [--embedder minilm|arctic-xs|lexical] [--data DIR] [--limit N]
          chunk-scale [--sizes 1,2,4,8,16] [--embedder lexical]   (single-line files through the pipeline: seconds per MB)
          embed-throughput --corpus FILE [--embedder minilm|arctic-xs] [--n 512] [--batch 16] [--configs 1x1,2x1,1x2,2x2,1x4]   (INTRA-OP THREADS x PARALLEL CALLS)
          trace-top   --trace FILE.nettrace [--top 30] [--filter TEXT] [--callers TEXT]   (hottest methods of an EventPipe CPU sample trace)
        corpus: one chunk of text per line; queries: one query per line.
        """);
    return 2;
}
