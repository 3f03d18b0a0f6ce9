using Billing.Infrastructure.Health;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Infrastructure.Tests.Health;

public sealed class DependencyHealthTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public async Task Every_check_is_reported_and_the_report_is_healthy_only_when_all_are()
    {
        var healthy = await Health(new Check("a", () => Task.FromResult((true, "fine")))).CheckAsync(CancellationToken.None);
        var mixed = await Health(new Check("a", () => Task.FromResult((true, "fine"))), new Check("b", () => Task.FromResult((false, "down")))).CheckAsync(CancellationToken.None);

        Assert.True(healthy.IsHealthy);
        Assert.False(mixed.IsHealthy);
        Assert.Equal([("a", true, "fine"), ("b", false, "down")], mixed.Dependencies.Select(d => (d.Name, d.IsHealthy, d.Detail)));
    }

    [Fact]
    public async Task A_check_that_does_not_answer_in_time_is_unhealthy_and_does_not_hold_up_the_others()
    {
        var report = Health(
                new Check("slow", async token => { await Task.Delay(Timeout.Infinite, token); return (true, "never"); }),
                new Check("fast", () => Task.FromResult((true, "fine"))))
            .CheckAsync(CancellationToken.None);

        while (!report.IsCompleted)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(10);
        }

        var slow = (await report).Dependencies.Single(d => d.Name == "slow");
        Assert.False(slow.IsHealthy);
        Assert.Equal("No answer within 2 s.", slow.Detail);
        Assert.True((await report).Dependencies.Single(d => d.Name == "fast").IsHealthy);
    }

    [Fact]
    public async Task A_check_that_ignores_its_deadline_is_unhealthy_in_time_and_does_not_hold_the_round_for_ever()
    {
        var never = new TaskCompletionSource<(bool, string)>(); // a client that does not honour cancellation
        var report = Health(new Check("deaf", () => never.Task), new Check("fast", () => Task.FromResult((true, "fine")))).CheckAsync(CancellationToken.None);

        for (var step = 0; step < 40 && !report.IsCompleted; step++)
        {
            _time.Advance(TimeSpan.FromMilliseconds(500));
            await Task.Delay(10);
        }

        Assert.True(report.IsCompleted, "the round is still waiting for a check past its 2 s deadline: every health call waits with it");
        var deaf = (await report).Dependencies.Single(d => d.Name == "deaf");
        Assert.False(deaf.IsHealthy);
        Assert.Equal("No answer within 2 s.", deaf.Detail);
    }

    [Fact]
    public async Task A_checks_duration_is_read_on_the_injected_clock()
    {
        var answer = new TaskCompletionSource<(bool, string)>(TaskCreationOptions.RunContinuationsAsynchronously);
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var report = Health(new Check("timed", () => { started.TrySetResult(); return answer.Task; })).CheckAsync(CancellationToken.None);

        await started.Task;
        _time.Advance(TimeSpan.FromMilliseconds(1_500));
        answer.SetResult((true, "fine"));

        Assert.Equal(TimeSpan.FromMilliseconds(1_500), Assert.Single((await report).Dependencies).Duration);
    }

    [Fact]
    public async Task A_check_that_throws_is_unhealthy_with_the_exception_type_only()
    {
        var report = await Health(new Check("boom", () => throw new InvalidOperationException("sk_live_secret in a message"))).CheckAsync(CancellationToken.None);

        var status = Assert.Single(report.Dependencies);
        Assert.False(status.IsHealthy);
        Assert.Equal("The check failed (InvalidOperationException).", status.Detail);
    }

    [Fact]
    public async Task A_check_that_throws_when_asked_its_name_is_unhealthy_under_its_type_name_and_the_others_are_still_reported()
    {
        var report = await Health(new Unnamed(), new Check("fast", () => Task.FromResult((true, "fine")))).CheckAsync(CancellationToken.None);

        Assert.False(report.IsHealthy);
        Assert.Equal([("Unnamed", false, "The check failed (InvalidOperationException)."), ("fast", true, "fine")], report.Dependencies.Select(d => (d.Name, d.IsHealthy, d.Detail)));
    }

    [Fact]
    public async Task The_callers_cancellation_is_not_swallowed()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Health(new Check("a", async token => { await Task.Delay(Timeout.Infinite, token); return (true, ""); })).CheckAsync(cancelled.Token));
    }

    [Fact]
    public async Task A_report_answers_every_call_for_five_seconds_then_the_dependencies_are_checked_again()
    {
        var rounds = 0;
        var health = Health(new Check("counted", () => Task.FromResult((true, $"round {Interlocked.Increment(ref rounds)}"))));

        var first = await health.CheckAsync(CancellationToken.None);
        var meanwhile = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => health.CheckAsync(CancellationToken.None)));
        _time.Advance(DependencyHealth.ReportLifetime - TimeSpan.FromMilliseconds(1));
        var justBefore = await health.CheckAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var after = await health.CheckAsync(CancellationToken.None);

        Assert.All(meanwhile.Append(justBefore), r => Assert.Same(first, r));
        Assert.Equal("round 2", Assert.Single(after.Dependencies).Detail);
        Assert.Equal(2, rounds);
    }

    [Fact]
    public async Task An_unhealthy_report_answers_for_one_second_only_so_a_loop_of_calls_starts_one_round_a_second_and_a_recovery_shows_soon()
    {
        var up = false;
        var rounds = 0;
        var health = Health(new Check("flaky", () => { Interlocked.Increment(ref rounds); return Task.FromResult((up, up ? "back" : "down")); }));

        Assert.False((await health.CheckAsync(CancellationToken.None)).IsHealthy);
        var loop = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => health.CheckAsync(CancellationToken.None)));
        up = true;
        _time.Advance(DependencyHealth.UnhealthyReportLifetime - TimeSpan.FromMilliseconds(1));
        var justBefore = await health.CheckAsync(CancellationToken.None);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.True((await health.CheckAsync(CancellationToken.None)).IsHealthy);
        Assert.All(loop.Append(justBefore), r => Assert.False(r.IsHealthy));
        Assert.Equal(2, rounds);
    }

    private DependencyHealth Health(params IDependencyCheck[] checks) => new(checks, _time, NullLogger<DependencyHealth>.Instance);

    private sealed class Unnamed : IDependencyCheck
    {
        public string Name => throw new InvalidOperationException("sk_live_secret in a message");

        public Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken) => Task.FromResult((true, "never asked"));
    }

    private sealed class Check(string name, Func<CancellationToken, Task<(bool, string)>> run) : IDependencyCheck
    {
        public Check(string name, Func<Task<(bool, string)>> run)
            : this(name, _ => run())
        {
        }

        public string Name => name;

        public Task<(bool IsHealthy, string Detail)> CheckAsync(CancellationToken cancellationToken) => run(cancellationToken);
    }
}
