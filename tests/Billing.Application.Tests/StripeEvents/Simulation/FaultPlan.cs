namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>
/// Decides, at each port call of a worker attempt, whether the worker dies there (before or after the call took
/// effect) and whether other work runs in between (as a concurrent worker would). Half the faults kill the
/// attempt: every further call of it fails too, as in a dead process; the others are one failed call. Each attempt runs inside <see cref="RunAttemptAsync"/>.
/// </summary>
internal sealed class FaultPlan(Random random)
{
    private readonly AsyncLocal<Attempt?> _attempt = new();

    public double CrashProbability { get; set; }

    public double InterleaveProbability { get; set; }

    /// <summary>Work to run in between two calls of an attempt (another worker, a Stripe change); given the nesting depth.</summary>
    public Func<int, Task>? Interleave { get; set; }

    public int Crashes { get; private set; }

    public int Interleavings { get; private set; }

    public async Task<T> RunAttemptAsync<T>(int depth, Func<Task<T>> attempt)
    {
        _attempt.Value = new Attempt(depth);
        return await attempt();
    }

    public async Task BeforeAsync(string operation)
    {
        var attempt = _attempt.Value;
        if (attempt is null)
        {
            return;
        }

        CrashIf(attempt, operation + " (before)");
        if (Interleave is not null && attempt.Depth < 2 && random.NextDouble() < InterleaveProbability)
        {
            Interleavings++;
            await Interleave(attempt.Depth + 1);
        }
    }

    public void After(string operation)
    {
        if (_attempt.Value is { } attempt)
        {
            CrashIf(attempt, operation + " (after)");
        }
    }

    private void CrashIf(Attempt attempt, string operation)
    {
        if (attempt.Dead)
        {
            throw new InjectedCrashException(operation);
        }

        if (random.NextDouble() < CrashProbability)
        {
            // Half of them kill the worker; the others are a failed call the worker survives (and records).
            attempt.Dead = random.Next(2) == 0;
            Crashes++;
            throw new InjectedCrashException(operation);
        }
    }

    private sealed class Attempt(int depth)
    {
        public int Depth { get; } = depth;

        public bool Dead { get; set; }
    }
}
