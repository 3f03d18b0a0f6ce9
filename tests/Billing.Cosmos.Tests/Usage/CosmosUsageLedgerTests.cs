using Billing.Application.Usage;
using Billing.Cosmos.Tests.Support;
using Billing.Domain.Metering;

namespace Billing.Cosmos.Tests.Usage;

public sealed class CosmosUsageCountersTests(CosmosFixture fixture) : IClassFixture<CosmosFixture>
{
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly MeterName Tokens = MeterName.Parse("tokens");
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly UsagePeriod December = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 12, 15, 0, 0, 0, TimeSpan.Zero));

    private readonly IUsageCounters _counters = fixture.Get<IUsageCounters>();

    [Fact]
    public async Task Fifty_parallel_consumes_against_a_hard_limit_of_twenty_let_exactly_twenty_through()
    {
        var account = Ids.NewAccount();

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ =>
            Task.Run(() => _counters.TryConsumeAsync(account, November, AgentRuns, 1, 20, CancellationToken.None))));

        var consumed = results.Where(r => r.IsConsumed).ToList();
        Assert.Equal(20, consumed.Count);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), consumed.Select(r => r.Counter).Order());
        Assert.All(results.Where(r => !r.IsConsumed), r => Assert.Equal(UsageConsumeOutcome.LimitExceeded, r.Outcome));
        Assert.All(results.Where(r => !r.IsConsumed), r => Assert.Equal(20, r.Counter));
        var stored = await _counters.GetAsync(account, November.Key, CancellationToken.None);
        Assert.Equal(20, stored!.Used(AgentRuns));
    }

    [Fact]
    public async Task Parallel_consumes_without_a_limit_all_count()
    {
        var account = Ids.NewAccount();

        await Task.WhenAll(Enumerable.Range(0, 30).Select(_ =>
            Task.Run(() => _counters.TryConsumeAsync(account, November, Tokens, 250, null, CancellationToken.None))));

        Assert.Equal(7_500, (await _counters.GetAsync(account, November.Key, CancellationToken.None))!.Used(Tokens));
    }

    [Fact]
    public async Task A_consumption_that_would_pass_the_limit_is_refused_whole()
    {
        var account = Ids.NewAccount();
        await _counters.TryConsumeAsync(account, November, AgentRuns, 8, 10, CancellationToken.None);

        var tooMuch = await _counters.TryConsumeAsync(account, November, AgentRuns, 3, 10, CancellationToken.None);
        var exactlyToTheLimit = await _counters.TryConsumeAsync(account, November, AgentRuns, 2, 10, CancellationToken.None);
        var overLimitAlone = await _counters.TryConsumeAsync(Ids.NewAccount(), November, AgentRuns, 11, 10, CancellationToken.None);

        Assert.Equal(UsageConsumeResult.Exceeded(8, 10), tooMuch);
        Assert.Equal(UsageConsumeResult.Consumed(10, 10), exactlyToTheLimit);
        Assert.Equal(UsageConsumeResult.Exceeded(0, 10), overLimitAlone);
    }

    [Fact]
    public async Task Meters_periods_and_accounts_count_separately()
    {
        var full = Ids.NewAccount();
        var other = Ids.NewAccount();
        await _counters.TryConsumeAsync(full, November, AgentRuns, 5, 5, CancellationToken.None);

        var sameAccountOtherMeter = await _counters.TryConsumeAsync(full, November, Tokens, 5, 5, CancellationToken.None);
        var sameAccountNextPeriod = await _counters.TryConsumeAsync(full, December, AgentRuns, 1, 5, CancellationToken.None);
        var otherAccountSamePeriod = await _counters.TryConsumeAsync(other, November, AgentRuns, 1, 5, CancellationToken.None);
        var fullAgain = await _counters.TryConsumeAsync(full, November, AgentRuns, 1, 5, CancellationToken.None);

        Assert.True(sameAccountOtherMeter.IsConsumed);
        Assert.Equal(1, sameAccountNextPeriod.Counter);
        Assert.Equal(1, otherAccountSamePeriod.Counter);
        Assert.False(fullAgain.IsConsumed);
        var november = await _counters.GetAsync(full, November.Key, CancellationToken.None);
        Assert.Equal(5, november!.Used(AgentRuns));
        Assert.Equal(5, november.Used(Tokens));
        Assert.Equal(0, november.Used(MeterName.Parse("api_calls")));
        Assert.Equal(November, november.Period);
    }

    [Fact]
    public async Task A_period_without_usage_reads_as_null()
    {
        Assert.Null(await _counters.GetAsync(Ids.NewAccount(), November.Key, CancellationToken.None));
    }

    [Fact]
    public async Task Usage_document_has_the_documented_shape()
    {
        var account = Ids.NewAccount();
        await _counters.TryConsumeAsync(account, November, AgentRuns, 3, null, CancellationToken.None);

        var raw = await RawDocuments.ReadAsync(fixture.Containers.Accounts, $"usage:{account.Value}:month-2026-11", account.Value);

        Assert.NotNull(raw);
        Assert.Equal("usage", (string?)raw["type"]);
        Assert.Equal(1, (int?)raw["schemaVersion"]);
        Assert.Equal(account.Value, (string?)raw["accountId"]);
        Assert.Equal("month-2026-11", (string?)raw["periodKey"]);
        Assert.Equal("2026-11-01T00:00:00.0000000Z", (string?)raw["periodStart"]);
        Assert.Equal(3, (long?)raw["counters"]!["agent_runs"]);
    }

    [Fact]
    public async Task Invalid_amounts_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _counters.TryConsumeAsync(Ids.NewAccount(), November, AgentRuns, 0, null, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _counters.TryConsumeAsync(Ids.NewAccount(), November, AgentRuns, 1, -1, CancellationToken.None));
    }
}
