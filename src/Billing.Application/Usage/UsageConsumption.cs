using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>
/// One addition to a meter's counter: <see cref="Limit"/> is the hard limit it must not pass (null: not refused);
/// <see cref="Plan"/> and <see cref="Included"/> are kept with the counters so the period can be priced later.
/// </summary>
public sealed record UsageConsumption(AccountId AccountId, UsagePeriod Period, MeterName Meter, long Amount, long? Limit, PlanCode Plan, long? Included);

/// <summary>
/// The counter after a consumption (<see cref="Consumed"/>) or, when refused, as it stands. <see cref="NotifiedThresholds"/>
/// are the percentages of this meter already notified in the period.
/// </summary>
public sealed record UsageConsumeResult(bool Consumed, long Counter, IReadOnlyCollection<int> NotifiedThresholds)
{
    /// <summary>The counter before this consumption (exact: the addition is atomic and the store answers with its result).</summary>
    public long CounterBefore(long amount) => Consumed ? Counter - amount : Counter;
}

/// <summary>An account's period with usage, as the closing-day index lists it.</summary>
public sealed record UsagePeriodEntry(AccountId AccountId, UsagePeriodKey PeriodKey, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);
