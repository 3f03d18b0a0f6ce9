using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>
/// The answer to a recorded usage: the meter's counter right after it, against the plan's limit (hard) or included
/// units (overage). A replay (the same idempotency key again) gets the first call's answer, with <see cref="Replayed"/> set.
/// </summary>
public sealed record RecordedUsage
{
    public required MeterName Meter { get; init; }

    public required long Quantity { get; init; }

    public required long Used { get; init; }

    /// <summary>The hard limit or the included units; null when unlimited.</summary>
    public long? Limit { get; init; }

    public long? Remaining { get; init; }

    /// <summary>Units beyond the included quantity, billed after the period closes (overage meters).</summary>
    public required long Overage { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    public required bool Replayed { get; init; }

    internal static RecordedUsage First(UsageKeyClaim claim, CountedUsage counted) => From(claim, counted, replayed: false);

    internal static RecordedUsage Replay(UsageKeyClaim claim, CountedUsage counted) => From(claim, counted, replayed: true);

    private static RecordedUsage From(UsageKeyClaim claim, CountedUsage counted, bool replayed) => new()
    {
        Meter = claim.Meter,
        Quantity = claim.Quantity,
        Used = counted.Used,
        Limit = counted.Limit,
        Remaining = counted.Remaining,
        Overage = counted.Overage,
        PeriodStart = claim.PeriodStart,
        PeriodEnd = claim.PeriodEnd,
        OccurredAt = claim.OccurredAt,
        RecordedAt = claim.RecordedAt,
        Replayed = replayed,
    };
}

/// <summary>Whether a quantity would be recorded now, and the meter's state (<c>POST /api/usage/check</c>).</summary>
public sealed record UsageCheck
{
    public required bool Allowed { get; init; }

    public required MeterName Meter { get; init; }

    public required long Used { get; init; }

    public long? Limit { get; init; }

    public long? Remaining { get; init; }

    /// <summary>True when usage beyond <see cref="Limit"/> is refused, false when it is billed as overage or unlimited.</summary>
    public required bool HardLimit { get; init; }

    public required PlanCode Plan { get; init; }

    /// <summary>When not allowed: the plan that would allow more, if any.</summary>
    public PlanCode? UpgradePlan { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }
}
