using Billing.Application.Accounts;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.Fakes;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Subscriptions;

public sealed class SubscriptionSnapshotApplierTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);
    private static readonly AccountId Id = AccountId.Parse("user-1");
    private readonly InMemoryBillingAccountStore _store = new(new FakeTimeProvider(Now));
    private readonly InMemoryUsageLedger _usage = new();
    private readonly SubscriptionSnapshotApplier _applier;

    public SubscriptionSnapshotApplierTests()
    {
        var catalog = TestCatalog.Create();
        var clock = new FakeTimeProvider(Now);
        var entitlements = new Billing.Application.Entitlements.AccountEntitlements(_store, catalog, Options.Create(new Billing.Application.Entitlements.EntitlementOptions()), clock);
        _applier = new SubscriptionSnapshotApplier(_store, _usage, new Billing.Application.Usage.IncludedUnits(_store, entitlements, _usage), catalog, Options.Create(new SubscriptionSyncOptions()), clock);
    }

    [Fact]
    public async Task Applies_a_newer_snapshot_and_stores_it()
    {
        await _store.GetOrCreateAsync(Id, CancellationToken.None);

        var result = await _applier.ApplyAsync(Id, Snapshot(Now), CancellationToken.None);

        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Assert.Equal(2, result.Account.Version);
        var stored = await _store.GetAsync(Id, CancellationToken.None);
        Assert.Equal("sub_1", stored!.Subscription!.SubscriptionId);
    }

    [Fact]
    public async Task Does_not_write_for_a_stale_or_duplicate_snapshot()
    {
        await _store.GetOrCreateAsync(Id, CancellationToken.None);
        await _applier.ApplyAsync(Id, Snapshot(Now), CancellationToken.None);
        var writes = _store.Writes;

        var duplicate = await _applier.ApplyAsync(Id, Snapshot(Now), CancellationToken.None);
        var stale = await _applier.ApplyAsync(Id, Snapshot(Now.AddMinutes(-1), SubscriptionStatus.Canceled), CancellationToken.None);

        Assert.Equal(SubscriptionSnapshotOutcome.Duplicate, duplicate.Outcome);
        Assert.Equal(SubscriptionSnapshotOutcome.Stale, stale.Outcome);
        Assert.Equal(writes, _store.Writes);
        Assert.Equal(SubscriptionStatus.Active, stale.Account.Subscription!.Status);
    }

    [Fact]
    public async Task A_subscription_canceled_at_once_ends_its_usage_period_there_so_it_is_invoiced_the_next_day_with_its_real_dates()
    {
        var counted = await SubscribedWithUsageAsync(1_250);
        var endedAt = Now.AddDays(9);

        var canceled = Snapshot(endedAt, SubscriptionStatus.Canceled) with { EndedAt = endedAt, CanceledAt = endedAt };
        await _applier.ApplyAsync(Id, canceled, CancellationToken.None);
        await _applier.ApplyAsync(Id, canceled, CancellationToken.None); // redelivered: nothing more

        var entry = Assert.Single(await _usage.ListPeriodsEndingAsync(DateOnly.FromDateTime(endedAt.UtcDateTime), CancellationToken.None));
        Assert.Equal((counted.Key, counted.Start, endedAt), (entry.PeriodKey, entry.PeriodStart, entry.PeriodEnd));
        Assert.Equal(1_250, (await _usage.GetAsync(Id, counted.Key, CancellationToken.None))!.Used(MeterName.Parse("agent_runs")));
    }

    [Fact]
    public async Task An_early_end_is_stamped_again_with_the_version_stored_when_another_write_landed_after_the_read()
    {
        var counted = await SubscribedWithUsageAsync(1_250);
        var read = await _store.GetAsync(Id, CancellationToken.None);
        await _store.UpdateAsync(Id, a => a with { UpdatedAt = a.UpdatedAt.AddSeconds(1) }, CancellationToken.None); // another write lands meanwhile
        var endedAt = Now.AddDays(9);

        var result = await _applier.ApplyAsync(Id, Snapshot(endedAt, SubscriptionStatus.Canceled) with { EndedAt = endedAt, CanceledAt = endedAt }, read, CancellationToken.None);

        Assert.Equal((read!.Version + 2, endedAt), (result.Account.Version, (await _usage.GetAsync(Id, counted.Key, CancellationToken.None))!.Period.End));
        Assert.Equal(result.Account.Version, _usage.EndSetFromVersion(Id, counted.Key)); // a job holding the version before it cannot move the end back
    }

    [Fact]
    public async Task A_renewal_moves_no_period_end()
    {
        var counted = await SubscribedWithUsageAsync(5);

        await _applier.ApplyAsync(Id, Snapshot(Now.AddDays(29).AddSeconds(5)) with { CurrentPeriodStart = Now.AddDays(29), CurrentPeriodEnd = Now.AddDays(59) }, CancellationToken.None);

        Assert.Equal(counted.End, (await _usage.GetAsync(Id, counted.Key, CancellationToken.None))!.Period.End);
    }

    [Fact]
    public async Task A_missing_account_is_reported()
    {
        await Assert.ThrowsAsync<BillingAccountNotFoundException>(() => _applier.ApplyAsync(Id, Snapshot(Now), CancellationToken.None));
    }

    /// <summary>The account subscribed (the period of <see cref="Snapshot"/>) with <paramref name="agentRuns"/> counted in it; the period.</summary>
    private async Task<UsagePeriod> SubscribedWithUsageAsync(long agentRuns)
    {
        await _store.GetOrCreateAsync(Id, CancellationToken.None);
        await _applier.ApplyAsync(Id, Snapshot(Now), CancellationToken.None);
        var counted = UsagePeriod.SubscriptionPeriod(Now.AddDays(-1), Now.AddDays(29));
        _usage.Set(Id, counted, MeterName.Parse("agent_runs"), agentRuns, PlanCode.Parse("PRO"));
        return counted;
    }

    private static SubscriptionSnapshot Snapshot(DateTimeOffset asOf, SubscriptionStatus? status = null) => new()
    {
        SubscriptionId = "sub_1",
        CustomerId = "cus_1",
        Status = status ?? SubscriptionStatus.Active,
        PriceId = TestCatalog.ProMonthly,
        CurrentPeriodStart = Now.AddDays(-1),
        CurrentPeriodEnd = Now.AddDays(29),
        AsOf = asOf,
    };
}
