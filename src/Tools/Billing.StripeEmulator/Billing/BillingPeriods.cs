namespace Billing.StripeEmulator.Billing;

/// <summary>
/// Period boundaries counted from the billing cycle anchor (so Jan 31 -> Feb 28 -> Mar 31 does not drift),
/// in UTC, as Stripe bills.
/// </summary>
internal static class BillingPeriods
{
    public static long Add(long anchor, string interval, int intervalCount, int periods)
    {
        var start = DateTimeOffset.FromUnixTimeSeconds(anchor);
        var steps = intervalCount * periods;
        var end = interval switch
        {
            "day" => start.AddDays(steps),
            "week" => start.AddDays(7 * steps),
            "month" => start.AddMonths(steps),
            "year" => start.AddYears(steps),
            _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, "Unknown billing interval."),
        };
        return end.ToUnixTimeSeconds();
    }
}
