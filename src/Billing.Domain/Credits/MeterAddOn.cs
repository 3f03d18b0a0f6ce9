using Billing.Domain.Metering;

namespace Billing.Domain.Credits;

/// <summary>
/// A bought add-on: +<see cref="Units"/> on one meter's limit for the account. An allocation meter's add-on lasts until
/// <see cref="ExpiresAt"/> (for good without one); a consumption meter's add-on applies to the usage period it was
/// granted in (<see cref="PeriodKey"/>), or, with an expiry, to every period until then. A refunded or lost-dispute
/// purchase revokes it (<see cref="RevokedAt"/>).
/// </summary>
public sealed record MeterAddOn
{
    /// <summary><c>cs:{checkoutSessionId}</c>: one grant per paid session, whatever the delivery order.</summary>
    public required string GrantId { get; init; }

    public required string Code { get; init; }

    public required MeterName Meter { get; init; }

    public required long Units { get; init; }

    public required DateTimeOffset GrantedAt { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Consumption meters without an expiry: the one usage period it raises.</summary>
    public UsagePeriodKey? PeriodKey { get; init; }

    public string? PaymentIntentId { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The Checkout Session that paid for it (the page confirms a purchase by it).</summary>
    public string? SessionId => GrantId.StartsWith("cs:", StringComparison.Ordinal) ? GrantId["cs:".Length..] : null;

    /// <summary>
    /// Whether it raised the meter's limit at some time in <paramref name="period"/> (a past period's view shows the most
    /// its limit reached): granted before the period ended, not expired or revoked before it started, and, when it
    /// belongs to one usage period, to this one. One granted already revoked (refunded before its purchase was
    /// applied) never applied.
    /// </summary>
    public bool AppliedDuring(UsagePeriod period)
    {
        ArgumentNullException.ThrowIfNull(period);
        return GrantedAt < period.End
               && (ExpiresAt is not { } expiresAt || expiresAt > period.Start)
               && (RevokedAt is not { } revokedAt || (revokedAt > period.Start && revokedAt > GrantedAt))
               && (PeriodKey is not { } key || key == period.Key);
    }

    /// <summary>
    /// Whether it stopped applying during <paramref name="period"/>, by <paramref name="now"/>, having applied in it until
    /// then: expired (its expiry passed) or revoked (whenever the revocation is dated: a revoked add-on applies at no
    /// time, <see cref="AppliesAt"/>). What it covered of the period's usage while it applied stays covered
    /// (<see cref="UsageCounters.WithIncluded"/>). One granted already revoked (refunded before its purchase was applied)
    /// never applied.
    /// </summary>
    public bool EndedDuring(UsagePeriod period, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(period);
        DateTimeOffset? end = RevokedAt is { } revokedAt
            ? ExpiresAt is { } expiry && expiry < revokedAt ? expiry : revokedAt
            : ExpiresAt is { } expiresAt && expiresAt <= now ? expiresAt : null;
        return end is { } stopped && stopped > period.Start && GrantedAt < stopped && GrantedAt < period.End
               && (PeriodKey is not { } key || key == period.Key);
    }

    public bool AppliesAt(DateTimeOffset now, UsagePeriodKey period) =>
        RevokedAt is null
        && now >= GrantedAt
        && (ExpiresAt is not { } expiresAt || now < expiresAt)
        && (PeriodKey is not { } key || key == period);
}
