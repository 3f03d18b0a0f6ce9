namespace Billing.Domain.Metering;

/// <summary>The window usage is counted in: [<see cref="Start"/>, <see cref="End"/>), identified by <see cref="Key"/>.</summary>
public sealed record UsagePeriod
{
    public UsagePeriod(DateTimeOffset start, DateTimeOffset end, UsagePeriodKey key)
    {
        if (end <= start)
        {
            throw new ArgumentException($"A usage period must end after it starts ({start:O} .. {end:O}).", nameof(end));
        }

        Start = start;
        End = end;
        Key = key;
    }

    /// <summary>
    /// The longest usage period, the longest month: no monthly billing period is longer, whatever its anchor, and a longer
    /// window (an annual period, a long trial) is counted in monthly slices.
    /// </summary>
    public static readonly TimeSpan LongestLength = TimeSpan.FromDays(31);

    public DateTimeOffset Start { get; }

    public DateTimeOffset End { get; }

    public UsagePeriodKey Key { get; }

    /// <summary>The calendar month (UTC) containing <paramref name="instant"/>: the period of free accounts.</summary>
    public static UsagePeriod CalendarMonth(DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var start = new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
        return new UsagePeriod(start, start.AddMonths(1), UsagePeriodKey.ForCalendarMonth(utc.Year, utc.Month));
    }

    /// <summary>A subscription's billing period as Stripe reports it on the subscription items, or a monthly slice of it starting at <paramref name="start"/>.</summary>
    public static UsagePeriod SubscriptionPeriod(DateTimeOffset start, DateTimeOffset end) =>
        new(start, end, UsagePeriodKey.ForSubscriptionPeriod(start));

    /// <summary>The window of an app-side trial, or a monthly slice of it starting at <paramref name="start"/>.</summary>
    public static UsagePeriod LocalTrial(DateTimeOffset start, DateTimeOffset end) =>
        new(start, end, UsagePeriodKey.ForLocalTrial(start));
}
