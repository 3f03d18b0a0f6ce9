using Billing.Domain.Credits;
using Billing.Domain.Metering;

namespace Billing.Domain.Tests.Credits;

/// <summary>Which usage periods a bought add-on raised, as a past period's view shows it.</summary>
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
}
