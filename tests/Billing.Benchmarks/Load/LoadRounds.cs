namespace Billing.Benchmarks.Load;

/// <summary>One thing measured under load: a name and the operation each caller repeats (told which caller it is, 0-based).</summary>
internal sealed record LoadTarget(string Name, Func<int, CancellationToken, Task<string?>> Operation)
{
    /// <summary>A target whose operation is the same whichever caller runs it.</summary>
    public LoadTarget(string name, Func<CancellationToken, Task<string?>> operation)
        : this(name, (_, ct) => operation(ct))
    {
    }
}

/// <summary>
/// Several targets measured at one concurrency level so that drift hits them alike: a warm-up run of each target, then
/// rounds of one run per target, the order reversing from one round to the next.
/// </summary>
internal static class LoadRounds
{
    /// <summary>
    /// Runs the targets at <paramref name="concurrency"/> callers and returns each target's measured rounds merged, in the
    /// order of <paramref name="targets"/>. <paramref name="reverseFirst"/> starts with the reversed order (alternate it
    /// between levels). <paramref name="afterRun"/>, when given, follows every run (warm-up included, told whether the run
    /// was measured) before the next starts: the place to reset state a target left behind.
    /// </summary>
    public static async Task<LoadResult[]> RunAsync(
        IReadOnlyList<LoadTarget> targets,
        int concurrency,
        LoadOptions options,
        bool reverseFirst,
        TextWriter log,
        Func<LoadResult, bool, Task>? afterRun = null)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(log);
        foreach (var target in targets)
        {
            var warm = await LoadRunner.RunAsync(target.Name, concurrency, options.Warmup, target.Operation, CancellationToken.None);
            log.WriteLine("warm-up " + warm.Summary);
            if (afterRun is not null)
            {
                await afterRun(warm, false);
            }
        }

        var measured = targets.ToDictionary(t => t.Name, _ => new List<LoadResult>());
        for (var round = 0; round < options.Rounds; round++)
        {
            foreach (var target in (round % 2 == 0) != reverseFirst ? targets : targets.Reverse())
            {
                var result = await LoadRunner.RunAsync(target.Name, concurrency, options.Duration, target.Operation, CancellationToken.None);
                log.WriteLine($"round {round + 1}: {result.Summary}");
                measured[target.Name].Add(result);
                if (afterRun is not null)
                {
                    await afterRun(result, true);
                }
            }
        }

        return [.. targets.Select(t => LoadResult.Merge(measured[t.Name]))];
    }
}
