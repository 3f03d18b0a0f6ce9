using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;

namespace Billing.Benchmarks.Signature;

/// <summary>A short job (one launch, 3 warm-up and 10 measured iterations of ~250 ms) so the whole suite takes a couple
/// of minutes on a shared 2-core machine; ratios to the baseline are what to read, absolute times are this machine's.</summary>
public sealed class ShortRunConfig : ManualConfig
{
    public ShortRunConfig()
    {
        AddJob(Job.Default
            .WithId("Short")
            .WithLaunchCount(1)
            .WithWarmupCount(3)
            .WithIterationCount(10)
            .WithIterationTime(TimeInterval.FromMilliseconds(250)));
        AddColumn(StatisticColumn.Median);
    }
}
