using Billing.Cosmos.Documents;
using Microsoft.Extensions.Time.Testing;

namespace Billing.Cosmos.Tests.Client;

public sealed class DocumentOperationsTests
{
    [Theory]
    [InlineData(1, 10)]
    [InlineData(4, 25)]
    [InlineData(30, 55)] // the growth stops at the tenth attempt
    public async Task A_write_that_lost_a_race_pauses_at_least_5_ms_and_at_most_5_ms_more_per_attempt(int attempt, int longestMs)
    {
        var time = new FakeTimeProvider();

        var pauses = Enumerable.Range(0, 20).Select(_ => DocumentOperations.PauseBeforeRetryAsync(time, attempt, CancellationToken.None)).ToList();
        time.Advance(TimeSpan.FromMilliseconds(4.9));
        var doneEarly = pauses.Count(p => p.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(longestMs - 4.9));
        await Task.WhenAll(pauses).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(0, doneEarly);
    }

    [Fact]
    public async Task Pauses_of_writers_racing_at_the_tenth_attempt_are_spread_over_5_to_55_ms()
    {
        // The jitter comes from Random.Shared (not injectable): 40 pauses, each uniform over [5, 55) ms. All ending by
        // 10 ms (no growth) has odds 0.1^40; all on one side of 30 ms (no jitter), 2 x 0.5^40.
        var time = new FakeTimeProvider();
        var pauses = Enumerable.Range(0, 40).Select(_ => DocumentOperations.PauseBeforeRetryAsync(time, 10, CancellationToken.None)).ToList();

        time.Advance(TimeSpan.FromMilliseconds(10));
        var doneBy10 = pauses.Count(p => p.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(20));
        var doneBy30 = pauses.Count(p => p.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(25));
        await Task.WhenAll(pauses).WaitAsync(TimeSpan.FromSeconds(5));

        Assert.True(doneBy10 < 40, "every pause ended within the first attempt's 10 ms: the pause does not grow");
        Assert.InRange(doneBy30, 1, 39); // jittered: some end before the middle of the range, some after
    }

    [Fact]
    public async Task A_cancelled_pause_ends_at_once()
    {
        using var cancellation = new CancellationTokenSource();
        var pause = DocumentOperations.PauseBeforeRetryAsync(new FakeTimeProvider(), 3, cancellation.Token);

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pause.WaitAsync(TimeSpan.FromSeconds(10))); // a pause that ignored the token times out instead of hanging the run
    }
}
