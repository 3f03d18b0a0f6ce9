using Billing.Domain.Credits;
using Billing.Domain.Metering;

namespace Billing.Domain.Tests.Credits;

/// <summary>Which usage periods a bought add-on raised, as a past period's view shows it, when it applies, and when it lapsed.</summary>
public sealed class MeterAddOnTests
{
    private static readonly UsagePeriod November = UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 11, 15, 0, 0, 0, TimeSpan.Zero));
    private static readonly DateTimeOffset Bought = new(2026, 11, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_add_on_revoked_during_the_period_applied_in_it_and_one_granted_already_revoked_never_did()
    {
        var addOn = new MeterAddOn { GrantId = "cs:cs_1", Code = "RUNS_100", Meter = MeterName.Parse("agent_runs"), Units = 100, GrantedAt = Bought, PeriodKey = November.Key };

        Assert.True(addOn.AppliedDuring(November));
        Assert.True((addOn with { RevokedAt = Bought.AddDays(2) }).AppliedDuring(November)); // refunded two days later: it raised the limit until then
        Assert.False((addOn with { RevokedAt = Bought }).AppliedDuring(November)); // refunded before its purchase was applied
    }

    [Theory] // days from November's start (it ends on day 30)
    [InlineData(-5, 0.0, 10, null, false)] // expired exactly at the period's start: it never applied in it
    [InlineData(-5, 0.5, 10, null, true)]
    [InlineData(-5, 10.0, 10, null, true)] // expired exactly now
    [InlineData(-5, 10.5, 10, null, false)] // not expired yet
    [InlineData(-5, 30.0, 30, null, true)] // expired exactly at the period's end, now
    [InlineData(-5, 30.0, 31, null, true)] // expired exactly at the period's end, seen later
    [InlineData(10, 10.0, 12, null, false)] // granted at its expiry: it never applied
    [InlineData(9, 10.0, 12, null, true)]
    [InlineData(-5, 10.0, 12, "revoked", false)] // refunded before the period started: it never applied in it
    [InlineData(-10, -2.0, 12, "revoked on day 3", false)] // expired before the period started, refunded during it: it never applied in it
    [InlineData(-5, 10.0, 2, "revoked on day 3", true)] // refunded during the period: it stopped applying then
    [InlineData(-5, null, 12, "revoked on day 3", true)]
    [InlineData(3, null, 12, "revoked on day 3", false)] // granted already revoked: it never applied
    [InlineData(30, null, 32, "revoked", false)] // granted as the period ended, revoked in the next: it never applied in it
    [InlineData(-5, 10.0, 12, "other period", false)]
    [InlineData(-5, 10.0, 12, "this period", true)]
    [InlineData(-5, null, 12, null, false)] // never expires
    public void An_add_on_stopped_applying_during_a_period_when_it_expired_by_now_or_was_revoked_after_the_start_having_applied_before(double granted, double? expires, double now, string? variant, bool ended)
    {
        Assert.Equal(ended, AddOn(granted, expires, variant).EndedDuring(November, Day(now)));
    }

    [Theory] // days from November's start
    [InlineData(2, 5.0, 2, null, true)] // from the moment it is granted
    [InlineData(2, 5.0, 1.999, null, false)]
    [InlineData(2, 5.0, 4.999, null, true)]
    [InlineData(2, 5.0, 5, null, false)] // not from its expiry on
    [InlineData(2, null, 400, null, true)] // no expiry: for good
    [InlineData(2, 5.0, 3, "revoked", false)]
    [InlineData(2, 5.0, 3, "other period", false)]
    [InlineData(2, 5.0, 3, "this period", true)]
    public void An_add_on_applies_from_its_grant_until_its_expiry_to_its_own_period_unless_revoked(double granted, double? expires, double now, string? variant, bool applies)
    {
        Assert.Equal(applies, AddOn(granted, expires, variant).AppliesAt(Day(now), November.Key));
    }

    [Fact]
    public void An_add_on_granted_as_the_period_ends_or_expired_or_revoked_as_it_starts_never_applied_in_it()
    {
        var end = November.End.Subtract(November.Start).TotalDays;

        Assert.False(AddOn(end, null, null).AppliedDuring(November)); // granted at the instant November ends
        Assert.True(AddOn(end - 0.001, null, null).AppliedDuring(November));
        Assert.False(AddOn(-10, 0, null).AppliedDuring(November)); // expired at the instant November starts
        Assert.True(AddOn(-10, 0.001, null).AppliedDuring(November));
        Assert.False((AddOn(-10, null, null) with { RevokedAt = November.Start }).AppliedDuring(November)); // revoked then
        Assert.True((AddOn(-10, null, null) with { RevokedAt = November.Start.AddSeconds(1) }).AppliedDuring(November));
        Assert.False(AddOn(-10, null, "other period").AppliedDuring(November)); // bought for October's usage
        Assert.True(AddOn(-10, null, "this period").AppliedDuring(November));
    }

    private static DateTimeOffset Day(double days) => November.Start.AddDays(days);

    private static MeterAddOn AddOn(double granted, double? expires, string? variant) => new()
    {
        GrantId = "cs:cs_1",
        Code = "RUNS_100",
        Meter = MeterName.Parse("agent_runs"),
        Units = 100,
        GrantedAt = Day(granted),
        ExpiresAt = expires is { } days ? Day(days) : null,
        RevokedAt = variant switch
        {
            "revoked" => Day(granted + 1),
            "revoked on day 3" => Day(3),
            _ => null,
        },
        PeriodKey = variant switch
        {
            "other period" => UsagePeriod.CalendarMonth(new DateTimeOffset(2026, 10, 15, 0, 0, 0, TimeSpan.Zero)).Key,
            "this period" => November.Key,
            _ => null,
        },
    };
}
