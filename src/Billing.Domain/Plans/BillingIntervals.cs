namespace Billing.Domain.Plans;

/// <summary>Conversions between <see cref="BillingInterval"/> and Stripe's <c>recurring.interval</c> strings.</summary>
public static class BillingIntervals
{
    /// <summary><c>month</c> or <c>year</c>; Stripe's <c>day</c> and <c>week</c> are not plan intervals here.</summary>
    public static bool TryParseStripe(string? value, out BillingInterval interval)
    {
        switch (value)
        {
            case "month":
                interval = BillingInterval.Month;
                return true;
            case "year":
                interval = BillingInterval.Year;
                return true;
            default:
                interval = default;
                return false;
        }
    }

    public static string ToStripeValue(this BillingInterval interval) => interval switch
    {
        BillingInterval.Month => "month",
        BillingInterval.Year => "year",
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown billing interval."),
    };

    /// <summary>The instant <paramref name="count"/> intervals after <paramref name="anchor"/> (calendar arithmetic, UTC).</summary>
    public static DateTimeOffset Advance(this BillingInterval interval, DateTimeOffset anchor, int count) => interval switch
    {
        BillingInterval.Month => anchor.ToUniversalTime().AddMonths(count),
        BillingInterval.Year => anchor.ToUniversalTime().AddYears(count),
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown billing interval."),
    };
}
