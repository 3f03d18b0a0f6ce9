using System.Globalization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Domain.Invoicing;

/// <summary>
/// The charge for one meter in a closed period: the units used, the units the plan included, the units beyond, and
/// their price (per unit or graduated tiers, integer minor units, exact).
/// </summary>
public sealed record MeterCharge(MeterName Meter, long Used, long Included, long OverageUnits, Money Amount);

/// <summary>
/// What a closed usage period of an account costs beyond its plan: one <see cref="MeterCharge"/> per overage meter
/// with a positive amount, all in the plan's currency. A period without charges has no lines (and no invoice).
/// </summary>
public sealed record PeriodCharges(AccountId AccountId, UsagePeriod Period, PlanCode Plan, Currency Currency, IReadOnlyList<MeterCharge> Lines)
{
    public Money Total => Lines.Aggregate(Money.Zero(Currency), (sum, line) => sum + line.Amount);

    public bool IsZero => Lines.Count == 0;

    /// <summary>The line as a customer reads it: "agent_runs: 1,250 beyond the 5,000 included (6,250 used), 1 Nov 2026 – 30 Nov 2026".</summary>
    public string Describe(MeterCharge line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return string.Create(CultureInfo.InvariantCulture, $"{line.Meter}: {line.OverageUnits:N0} beyond the {line.Included:N0} included ({line.Used:N0} used), {Period.Start:d MMM yyyy} – {Period.End.AddSeconds(-1):d MMM yyyy}");
    }

    /// <summary>
    /// Prices <paramref name="counters"/> with the plan that applied to them (the plan recorded with the counters, else
    /// the free plan) and the included units recorded with each count (else the plan's). No rounding happens anywhere:
    /// prices are integer minor units per unit (plus flat tier amounts), so every charge is an exact integer; a charge
    /// that does not fit in 64 bits throws <see cref="OverflowException"/> rather than wrap.
    /// </summary>
    public static PeriodCharges Price(UsageCounters counters, PlanCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(catalog);
        var plan = (counters.Plan is { } code ? catalog.Find(code) : null) ?? catalog.FreePlan;
        var currency = plan.Currency ?? Currency.Parse("usd");
        var lines = new List<MeterCharge>();
        foreach (var meter in catalog.Meters)
        {
            var policy = plan.PolicyFor(meter);
            if (policy.OveragePrice is not { } price)
            {
                continue;
            }

            var used = counters.Used(meter);
            var included = counters.Included.TryGetValue(meter, out var recorded) ? recorded : policy.Quota ?? 0;
            var overage = Math.Max(0, used - included);
            if (overage == 0)
            {
                continue;
            }

            var amount = price.PriceFor(overage);
            if (amount.MinorUnits > 0)
            {
                lines.Add(new MeterCharge(meter, used, included, overage, amount));
            }
        }

        return new PeriodCharges(counters.AccountId, counters.Period, plan.Code, currency, lines);
    }
}
