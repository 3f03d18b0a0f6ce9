using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>
/// One addition to a meter's counter: <see cref="Limit"/> is the hard limit it must not pass (null: not refused);
/// <see cref="Plan"/> and <see cref="Included"/> (what the plan and the add-ons in force include now) are kept with the
/// counters so the period can be priced later, with what add-ons that stopped applying covered
/// (<see cref="Allowances"/>: the meter's allowances in the order they are used, <see cref="Domain.Entitlements.Entitlement.AllowancesOf"/>;
/// null or empty: the plan's <see cref="Included"/> alone; <see cref="UsageCounters.WithIncluded"/>).
/// </summary>
public sealed record UsageConsumption(AccountId AccountId, UsagePeriod Period, MeterName Meter, long Amount, long? Limit, PlanCode Plan, long? Included, IReadOnlyList<MeterAllowance>? Allowances = null, string? SubscriptionId = null)
{
    /// <summary>
    /// The answer once this consumption is counted (<paramref name="after"/>: the period's counters right after it),
    /// against its hard limit or the included units recorded with it; the overage as invoicing prices it
    /// (<see cref="UsageCounters.OverageUnits"/>).
    /// </summary>
    public CountedUsage AnswerAt(UsageCounters after)
    {
        ArgumentNullException.ThrowIfNull(after);
        var used = after.Used(Meter);
        var included = Included is not null && after.Included.TryGetValue(Meter, out var recorded) ? recorded : Included;
        var quota = Limit ?? included;
        return new CountedUsage(used, quota, quota is { } q ? Math.Max(0, q - used) : null, after.OverageUnits(Meter, included));
    }
}

/// <summary>
/// What <see cref="IUsageLedger.RecordAsync"/> applies at once: the idempotency key's claim and the consumption it
/// stands for. <see cref="AccountVersion"/> is the version of the account the limits were worked out from; the record
/// is applied only while the account is still at it (null: not checked, for tools that seed usage).
/// </summary>
public sealed record UsageRecord(UsageKeyClaim Key, UsageConsumption Consumption, long? AccountVersion)
{
    /// <summary>The record of <paramref name="consumption"/> under <paramref name="idempotencyKey"/>, remembered for <paramref name="retention"/>.</summary>
    public static UsageRecord Of(UsageConsumption consumption, string idempotencyKey, DateTimeOffset occurredAt, DateTimeOffset recordedAt, TimeSpan retention, long? accountVersion)
    {
        ArgumentNullException.ThrowIfNull(consumption);
        var claim = new UsageKeyClaim
        {
            AccountId = consumption.AccountId,
            IdempotencyKey = idempotencyKey,
            Meter = consumption.Meter,
            Quantity = consumption.Amount,
            PeriodKey = consumption.Period.Key,
            PeriodStart = consumption.Period.Start,
            PeriodEnd = consumption.Period.End,
            OccurredAt = occurredAt,
            RecordedAt = recordedAt,
            Retention = retention,
        };
        return new UsageRecord(claim, consumption, accountVersion);
    }
}

/// <summary>How <see cref="IUsageLedger.RecordAsync"/> ended.</summary>
public enum UsageRecordStatus
{
    /// <summary>Counted, and the answer kept on the key.</summary>
    Counted,

    /// <summary>The hard limit would be passed: nothing written.</summary>
    Refused,

    /// <summary>The key is held by an earlier record: nothing written.</summary>
    Duplicate,

    /// <summary>The account changed (or is gone) since the limits were worked out: nothing written; read it again.</summary>
    StaleAccount,

    /// <summary>The meter's counter would pass <see cref="UsageCounters.MaxCount"/>: nothing written.</summary>
    CounterFull,
}

/// <summary>
/// The outcome of one record. <see cref="Count"/>: the meter's counter after the record (counted) or as it stands
/// (refused). <see cref="Key"/>: the claim with its answer (counted) or the claim holding the key (duplicate).
/// </summary>
public sealed record UsageRecordResult(UsageRecordStatus Status, UsageConsumeResult? Count, UsageKeyClaim? Key)
{
    public static readonly UsageRecordResult StaleAccount = new(UsageRecordStatus.StaleAccount, null, null);

    public static readonly UsageRecordResult CounterFull = new(UsageRecordStatus.CounterFull, null, null);

    public static UsageRecordResult Counted(UsageKeyClaim answered, long counter, IReadOnlyCollection<int> notified) =>
        new(UsageRecordStatus.Counted, new UsageConsumeResult(true, counter, notified), answered);

    public static UsageRecordResult Refused(long counter, IReadOnlyCollection<int> notified) =>
        new(UsageRecordStatus.Refused, new UsageConsumeResult(false, counter, notified), null);

    public static UsageRecordResult Duplicate(UsageKeyClaim holder) => new(UsageRecordStatus.Duplicate, null, holder);
}

/// <summary>
/// The counter after a consumption (<see cref="Consumed"/>) or, when refused, as it stands. <see cref="NotifiedThresholds"/>
/// are the percentages of this meter already notified in the period.
/// </summary>
public sealed record UsageConsumeResult(bool Consumed, long Counter, IReadOnlyCollection<int> NotifiedThresholds);

/// <summary>An account's period with usage, as the closing-day index lists it.</summary>
public sealed record UsagePeriodEntry(AccountId AccountId, UsagePeriodKey PeriodKey, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);
