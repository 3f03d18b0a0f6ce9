using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// The record an idempotency key leaves: which usage it stands for, in which period, and when; once the usage is
/// counted, the answer the first call gave (<see cref="Counted"/>; null while that call is still counting). A second
/// call with the same key finds it and counts nothing.
/// </summary>
public sealed record UsageKeyClaim
{
    public required AccountId AccountId { get; init; }

    public required string IdempotencyKey { get; init; }

    public required MeterName Meter { get; init; }

    public required long Quantity { get; init; }

    public required UsagePeriodKey PeriodKey { get; init; }

    public required DateTimeOffset PeriodStart { get; init; }

    public required DateTimeOffset PeriodEnd { get; init; }

    public required DateTimeOffset OccurredAt { get; init; }

    public required DateTimeOffset RecordedAt { get; init; }

    /// <summary>How long the key is remembered.</summary>
    public required TimeSpan Retention { get; init; }

    /// <summary>The meter's state right after this usage was counted; null while the first call is still counting.</summary>
    public CountedUsage? Counted { get; init; }

    /// <summary>Same usage as <paramref name="other"/> (a true retry), as opposed to the key being reused for something else.</summary>
    public bool SameUsageAs(UsageKeyClaim other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Meter == other.Meter && Quantity == other.Quantity;
    }
}

/// <summary>A meter's counter right after one record was counted, against the limit that applied: the first answer.</summary>
public sealed record CountedUsage(long Used, long? Limit, long? Remaining, long Overage);
