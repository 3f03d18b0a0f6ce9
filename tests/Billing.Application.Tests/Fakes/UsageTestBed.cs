using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Plans.Configuration;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Fakes;

/// <summary>The usage metering services wired to in-memory ledgers, a recording notification queue, a manual clock and <see cref="TestCatalog"/>.</summary>
internal sealed class UsageTestBed
{
    public static readonly DateTimeOffset Start = new(2026, 11, 21, 12, 0, 0, TimeSpan.Zero);

    public static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    public static readonly MeterName Tokens = MeterName.Parse("tokens");
    public static readonly MeterName ApiCalls = MeterName.Parse("api_calls");
    public static readonly MeterName Projects = MeterName.Parse("projects");

    public UsageTestBed(PlanCatalogOptions? catalog = null, UsageOptions? usage = null)
    {
        Catalog = PlanCatalog.Create(catalog ?? TestCatalog.Options());
        Time = new FakeTimeProvider(Start);
        Accounts = new InMemoryBillingAccountStore(Time);
        Ledger = new InMemoryUsageLedger(Time, Accounts.VersionOf);
        AllocationLedger = new InMemoryAllocationLedger(Accounts.VersionOf);
        UsageOptions = usage ?? new UsageOptions();
        Entitlements = new AccountEntitlements(Accounts, Catalog, Options.Create(new EntitlementOptions { PastDueGracePeriod = TimeSpan.FromDays(3) }), Time);
        IncludedUnits = new IncludedUnits(Accounts, Entitlements, Ledger);
        Thresholds = new UsageThresholds(Ledger, Notifications, Options.Create(UsageOptions), ThresholdsLog);
        var recent = new RecentAccounts(Accounts); // one per instance, as registered
        Recording = new UsageRecording(recent, Entitlements, Catalog, Ledger, Thresholds, Options.Create(UsageOptions), Time, RecordingLog);
        Allocations = new Allocations(recent, Entitlements, Catalog, AllocationLedger, Time, NullLogger<Allocations>.Instance);
        Report = new UsageReport(Catalog, Accounts, Entitlements, Ledger, Time);
        Overview = new EntitlementsOverview(Catalog, Accounts, Entitlements, AllocationLedger, Ledger, Time);
        Registration = new AccountRegistration(Accounts);
    }

    public PlanCatalog Catalog { get; }

    public FakeLogger<UsageThresholds> ThresholdsLog { get; } = new();

    public FakeLogger<UsageRecording> RecordingLog { get; } = new();

    public FakeTimeProvider Time { get; }

    public InMemoryBillingAccountStore Accounts { get; }

    public InMemoryUsageLedger Ledger { get; }

    public IncludedUnits IncludedUnits { get; }

    public InMemoryAllocationLedger AllocationLedger { get; }

    public RecordingBillingNotifications Notifications { get; } = new();

    public UsageOptions UsageOptions { get; }

    public AccountEntitlements Entitlements { get; }

    public UsageThresholds Thresholds { get; }

    public UsageRecording Recording { get; }

    public Allocations Allocations { get; }

    public UsageReport Report { get; }

    public EntitlementsOverview Overview { get; }

    public AccountRegistration Registration { get; }

    /// <summary>The free plan's period now: the calendar month (November 2026 at <see cref="Start"/>).</summary>
    public UsagePeriod CurrentMonth => UsagePeriod.CalendarMonth(Time.GetUtcNow());

    public static AccountId NewAccountId() => AccountId.Parse("user-" + Guid.NewGuid().ToString("N")[..8]);

    /// <summary>A registered account on the free plan.</summary>
    public AccountId Register()
    {
        var id = NewAccountId();
        Accounts.Put(BillingAccount.Open(id, Time.GetUtcNow()));
        return id;
    }

    /// <summary>
    /// A registered account with a subscription to <paramref name="priceId"/> in its 4th day, or on the billing period
    /// <paramref name="period"/>; returns the billing period.
    /// </summary>
    public (AccountId Id, UsagePeriod Period) Subscribe(string priceId, SubscriptionStatus? status = null, (DateTimeOffset Start, DateTimeOffset End)? period = null)
    {
        var id = NewAccountId();
        Accounts.Put(BillingAccount.Open(id, Time.GetUtcNow()));
        return (id, ChangePlan(id, priceId, status, period));
    }

    /// <summary>
    /// Puts the stored account on a subscription to <paramref name="priceId"/> in its 4th day (as a webhook would), or
    /// moves its subscription to that price within the same period (or onto <paramref name="period"/>); returns the billing period.
    /// </summary>
    public UsagePeriod ChangePlan(AccountId id, string priceId, SubscriptionStatus? status = null, (DateTimeOffset Start, DateTimeOffset End)? period = null, bool cancelAtPeriodEnd = false)
    {
        var now = Time.GetUtcNow();
        var stored = Accounts.GetAsync(id, CancellationToken.None).GetAwaiter().GetResult() ?? throw new InvalidOperationException($"No account '{id}'.");
        var current = stored.Subscription;
        var snapshot = new SubscriptionSnapshot
        {
            SubscriptionId = current?.SubscriptionId ?? "sub_" + Guid.NewGuid().ToString("N")[..10],
            CustomerId = current?.CustomerId ?? "cus_" + Guid.NewGuid().ToString("N")[..10],
            Status = status ?? SubscriptionStatus.Active,
            PriceId = priceId,
            Interval = BillingInterval.Month,
            CurrentPeriodStart = period?.Start ?? current?.CurrentPeriodStart ?? now.AddDays(-3),
            CurrentPeriodEnd = period?.End ?? current?.CurrentPeriodEnd ?? now.AddDays(27),
            CancelAtPeriodEnd = cancelAtPeriodEnd,
            AsOf = current is null ? now : now.AddTicks(1),
        };
        var result = stored.ApplySubscriptionSnapshot(snapshot, Catalog, TimeSpan.Zero);
        Assert.Equal(SubscriptionSnapshotOutcome.Applied, result.Outcome);
        Accounts.Put(result.Account);
        return UsagePeriod.SubscriptionPeriod(snapshot.CurrentPeriodStart.Value, snapshot.CurrentPeriodEnd.Value);
    }

    public static UsageRecordRequest Record(AccountId account, MeterName meter, long quantity, string? key = null, DateTimeOffset? occurredAt = null) =>
        new(account.Value, meter.Value, quantity, key ?? "key-" + Guid.NewGuid().ToString("N"), occurredAt);

    public Task<Outcome<RecordedUsage>> RecordAsync(AccountId account, MeterName meter, long quantity, string? key = null, DateTimeOffset? occurredAt = null) =>
        Recording.RecordAsync(Record(account, meter, quantity, key, occurredAt), CancellationToken.None);

    public long Used(AccountId account, UsagePeriod period, MeterName meter) =>
        Ledger.GetAsync(account, period.Key, CancellationToken.None).GetAwaiter().GetResult()?.Used(meter) ?? 0;
}

/// <summary>Unwraps outcomes with a readable failure when the kind is not the expected one.</summary>
internal static class OutcomeAssertions
{
    public static T AssertSucceeded<T>(this Outcome<T> outcome) =>
        outcome is Succeeded<T> succeeded ? succeeded.Value : throw Xunit.Sdk.FailException.ForFailure($"expected success, got {outcome}");

    public static Refusal AssertRefused<T>(this Outcome<T> outcome) =>
        outcome is Refused<T> refused ? refused.Refusal : throw Xunit.Sdk.FailException.ForFailure($"expected a refusal, got {outcome}");

    public static ValidationErrors AssertInvalid<T>(this Outcome<T> outcome) =>
        outcome is Invalid<T> invalid ? invalid.Errors : throw Xunit.Sdk.FailException.ForFailure($"expected invalid, got {outcome}");
}
