using BenchmarkDotNet.Attributes;
using ItOpsStream.Models.Logs;
using ItOpsStream.Models.Logs.Evaluation;

namespace ItOpsStream.Bench;

/// <summary>
/// Template mining throughput on one core: raw generated lines (log4j, syslog, nginx, k8s, HDFS-like, with headers)
/// through a warmed miner (steady state: templates known, every line tokenized, classified and looked up), and
/// the same lines through a cold miner (learning included).
/// </summary>
[MemoryDiagnoser]
public class LogMiningBenchmarks
{
    private const int Lines = 100_000;
    private string[] _lines = [];
    private LogTemplateMiner _warm = null!;

    [GlobalSetup]
    public void Setup()
    {
        _lines = [.. LabelledLogGenerator.GenerateCorpora(Lines / 5, seed: 42).SelectMany(c => c.Messages)];
        new Random(1).Shuffle(_lines);
        _warm = new LogTemplateMiner();
        foreach (var line in _lines)
        {
            _warm.Mine(line);
        }
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int MineWarm()
    {
        int sum = 0;
        foreach (var line in _lines)
        {
            sum += _warm.Mine(line).TemplateId;
        }

        return sum;
    }

    /// <summary>The tokenizer/classifier alone, to split the cost of the hot path.</summary>
    [Benchmark(OperationsPerInvoke = Lines)]
    public int TokenizeOnly()
    {
        Span<LogToken> tokens = stackalloc LogToken[128];
        int sum = 0;
        foreach (var line in _lines)
        {
            sum += LogTokenizer.Tokenize(line, tokens, maskAllKeyValues: false);
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = Lines)]
    public int MineCold()
    {
        var miner = new LogTemplateMiner();
        int sum = 0;
        foreach (var line in _lines)
        {
            sum += miner.Mine(line).TemplateId;
        }

        return sum;
    }
}
