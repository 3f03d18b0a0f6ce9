using Billing.Domain.Metering;

namespace Billing.Domain.Tests.Metering;

public sealed class UsagePeriodTests
{
    [Fact]
    public void Calendar_month_is_computed_in_utc()
    {
        // 2026-12-01 00:30 in UTC+02:00 is still November in UTC.
        var period = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 12, 1, 0, 30, 0, TimeSpan.FromHours(2)));

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), period.Start);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), period.End);
        Assert.Equal("month-2026-11", period.Key.Value);
    }

    [Fact]
    public void Keys_depend_only_on_the_start()
    {
        var start = new DateTimeOffset(2026, 11, 15, 10, 30, 0, TimeSpan.Zero);

        Assert.Equal("sub-20261115T103000Z", UsagePeriod.SubscriptionPeriod(start, start.AddMonths(1)).Key.Value);
        Assert.Equal(
            UsagePeriod.SubscriptionPeriod(start, start.AddMonths(1)).Key,
            UsagePeriod.SubscriptionPeriod(start, start.AddDays(3)).Key);
        Assert.Equal("trial-20261115T103000Z", UsagePeriod.LocalTrial(start, start.AddDays(14)).Key.Value);
    }

    [Theory]
    [InlineData("month-2026-11", true)]
    [InlineData("sub-20261115T103000Z", true)]
    [InlineData("trial-20261115T103000Z", true)]
    [InlineData("month-2026-1", false)]
    [InlineData("usage/2026", false)]
    [InlineData("month-2026-11\n", false)]
    [InlineData("sub-20261115T103000Z\n", false)]
    [InlineData("", false)]
    [InlineData("month-2026-13", false)]
    [InlineData("sub-20260230T103000Z", false)]
    [InlineData("trial-20261115T246000Z", false)]
    public void Parses_only_known_key_shapes(string value, bool valid)
    {
        Assert.Equal(valid, UsagePeriodKey.TryParse(value, out _));
    }

    [Fact]
    public void A_key_gives_back_the_start_it_was_made_from()
    {
        var start = new DateTimeOffset(2026, 11, 15, 10, 30, 5, TimeSpan.FromHours(-5));

        Assert.Equal(start, UsagePeriod.SubscriptionPeriod(start, start.AddMonths(1)).Key.Start);
        Assert.Equal(start, UsagePeriod.LocalTrial(start, start.AddDays(14)).Key.Start);
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), UsagePeriodKey.Parse("month-2026-11").Start);
        Assert.Equal(TimeSpan.Zero, UsagePeriodKey.Parse("sub-20261115T153005Z").Start.Offset);
    }

    [Fact]
    public void A_calendar_months_key_has_two_digits_for_the_month_and_parses_back()
    {
        var january = UsagePeriod.CalendarMonth(new DateTimeOffset(2027, 1, 15, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal("month-2027-01", january.Key.Value);
        Assert.Equal(january.Key, UsagePeriodKey.Parse(january.Key.Value));
    }

    [Fact]
    public void Only_a_subscriptions_period_key_is_a_subscription_period()
    {
        var start = new DateTimeOffset(2026, 11, 15, 10, 30, 0, TimeSpan.Zero);

        Assert.True(UsagePeriod.SubscriptionPeriod(start, start.AddMonths(1)).Key.IsSubscriptionPeriod);
        Assert.False(UsagePeriod.LocalTrial(start, start.AddDays(14)).Key.IsSubscriptionPeriod);
        Assert.False(UsagePeriod.CalendarMonth(start).Key.IsSubscriptionPeriod);
    }

    [Fact]
    public void A_period_must_end_after_it_starts()
    {
        var start = DateTimeOffset.UnixEpoch;
        Assert.Throws<ArgumentException>(() => UsagePeriod.SubscriptionPeriod(start, start));
    }

    [Theory]
    [InlineData("agent_runs", true)]
    [InlineData("tokens", true)]
    [InlineData("a1_b2", true)]
    [InlineData("Agent_runs", false)]
    [InlineData("1tokens", false)]
    [InlineData("api-calls", false)]
    [InlineData("api.calls", false)]
    [InlineData("agent_runs\n", false)]
    [InlineData("", false)]
    public void Meter_names_are_safe_identifiers(string value, bool valid)
    {
        Assert.Equal(valid, MeterName.TryParse(value, out _));
    }
}
