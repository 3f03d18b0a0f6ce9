using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// The record an idempotency key leaves: which usage it counted, in which period, and when. A second call with the
/// same key finds it and counts nothing.
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

    /// <summary>Same usage as <paramref name="other"/> (a true retry), as opposed to the key being reused for something else.</summary>
    public bool SameUsageAs(UsageKeyClaim other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return Meter == other.Meter && Quantity == other.Quantity;
    }
}
