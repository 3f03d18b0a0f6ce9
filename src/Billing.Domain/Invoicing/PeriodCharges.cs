using System.Globalization;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Domain.Invoicing;

/// <summary>
/// The charge for one meter in a period: the units used, the units the plan included, the units beyond, and their
/// price (per unit or graduated tiers, integer minor units, exact). <see cref="Plans"/> names the plans in order when
/// the plan changed during the period (then <see cref="Included"/> is the last plan's); null when one plan applied.
/// </summary>
public sealed record MeterCharge(MeterName Meter, long Used, long Included, long OverageUnits, Money Amount, string? Plans = null);

/// <summary>
/// What a closed usage period of an account costs beyond its plan: one <see cref="MeterCharge"/> per overage meter
/// with a positive amount, all in the plan's currency. A period without charges has no lines (and no invoice).
/// </summary>
/// <remarks>
/// Usage is priced by the plan it was counted under. When the plan changed during the period, each plan prices the
/// stretch of the count it applied to, at that stretch's position in the period: units beyond the plan's included
/// amount are billed at its price, and units an earlier plan counted are never billed again. An upgrade keeps the
/// overage already run up (5,250 runs on PRO, then ENTERPRISE: PRO's 250 stay billed); a downgrade bills only what is
/// counted after it beyond the new plan's amount (20,000 runs on ENTERPRISE, then PRO up to 21,000: 1,000 billed).
/// </remarks>
public sealed record PeriodCharges(AccountId AccountId, UsagePeriod Period, PlanCode Plan, Currency Currency, IReadOnlyList<MeterCharge> Lines)
{
    /// <summary>The plans in order ("PRO then ENTERPRISE") when the plan changed during the period; null when one plan applied.</summary>
    public string? Plans { get; init; }

    public Money Total => Lines.Aggregate(Money.Zero(Currency), (sum, line) => sum + line.Amount);

    public bool IsZero => Lines.Count == 0;

    /// <summary>
    /// The line as a customer reads it: "agent_runs: 1,250 beyond the 5,000 included (6,250 used), 1 Nov 2026 – 30 Nov 2026",
    /// or, across a plan change, "agent_runs: 250 beyond the included amounts of PRO then ENTERPRISE (6,000 used), …".
    /// </summary>
    public string Describe(MeterCharge line)
    {
        ArgumentNullException.ThrowIfNull(line);
        var basis = line.Plans is { } plans ? $"the included amounts of {plans}" : string.Create(CultureInfo.InvariantCulture, $"the {line.Included:N0} included");
        return string.Create(CultureInfo.InvariantCulture, $"{line.Meter}: {line.OverageUnits:N0} beyond {basis} ({line.Used:N0} used), {Period.Start:d MMM yyyy} – {Period.End.AddSeconds(-1):d MMM yyyy}");
    }

    /// <summary>
    /// Prices <paramref name="counters"/> with the plans that applied to them (the plan recorded with each stretch of
    /// the counts, else the free plan) and the included units recorded with each count (else the plan's). No rounding
    /// happens anywhere: prices are integer minor units per unit (plus flat tier amounts), so every charge is an exact
    /// integer; a charge that does not fit in 64 bits throws <see cref="OverflowException"/> rather than wrap.
    /// </summary>
    public static PeriodCharges Price(UsageCounters counters, PlanCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(catalog);
        var plan = PlanOf(counters.Plan, catalog);
        var lines = new List<MeterCharge>();
        foreach (var meter in catalog.Meters)
        {
            var policy = plan.PolicyFor(meter);
            var included = counters.Included.TryGetValue(meter, out var recorded) ? recorded : policy.Quota ?? 0;
            if (Charge(counters, meter, catalog, policy, included) is { Amount.MinorUnits: > 0 } line)
            {
                lines.Add(line);
            }
        }

        if (lines.Select(l => l.Amount.Currency).Distinct().Count() > 1)
        {
            // Plans in different currencies applied during the period, each charging a meter: one invoice cannot carry both.
            throw new CurrencyMismatchException(
                $"The charges of {counters.AccountId} for {counters.Period.Key} are in {string.Join(" and ", lines.Select(l => l.Amount.Currency.Code).Distinct())} " +
                $"({string.Join(", ", lines.Select(l => $"{l.Meter} {l.Amount.Currency.Code}"))}): the plans that applied bill in different currencies, and one invoice carries one.");
        }

        var currency = lines.Count > 0 ? lines[0].Amount.Currency : plan.Currency ?? Currency.Parse("usd");
        return new PeriodCharges(counters.AccountId, counters.Period, plan.Code, currency, lines)
        {
            Plans = InOrder([.. counters.Earlier.Select(e => PlanOf(e.Plan, catalog).Code.ToString()), plan.Code.ToString()]),
        };
    }

    /// <summary>
    /// One meter's overage so far under the rule above; <paramref name="current"/> and <paramref name="included"/> price the
    /// current plan's stretch (the invoice passes the recorded amount, a live view the entitlement's). Null when no
    /// plan that applied bills this meter as overage; otherwise the units beyond and their price (possibly zero).
    /// </summary>
    /// <exception cref="CurrencyMismatchException">Plans in different currencies charged this meter during the period.</exception>
    public static MeterCharge? Charge(UsageCounters counters, MeterName meter, PlanCatalog catalog, MeterPolicy current, long included)
    {
        ArgumentNullException.ThrowIfNull(counters);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(current);
        long units = 0;
        Money? amount = null;
        Money? nothing = null; // a zero charge, in the currency of the first plan that billed the meter
        var plans = new List<string>();
        foreach (var stretch in counters.StretchesOf(meter))
        {
            if (stretch.To > stretch.From || stretch.Current)
            {
                plans.Add(PlanOf(stretch.Plan, catalog).Code.ToString()); // as it is priced: a plan gone from the catalog as the free plan
            }

            var policy = stretch.Current ? current : PlanOf(stretch.Plan, catalog).PolicyFor(meter);
            if (policy.OveragePrice is not { } price || policy.Enforcement != MeterEnforcement.Overage)
            {
                continue;
            }

            var allowance = stretch.Current ? included : stretch.Included ?? policy.Quota ?? 0;
            var before = Math.Max(0, stretch.From - allowance); // units beyond before this stretch: priced already
            var beyond = stretch.UnitsBeyond(allowance);
            var part = price.PriceFor(before + beyond) - price.PriceFor(before);
            units = checked(units + beyond);
            if (part.MinorUnits == 0)
            {
                nothing ??= part; // nothing beyond under this plan: its currency does not mix with another plan's charge
            }
            else
            {
                amount = amount is { } sum ? sum + part : part;
            }
        }

        return (amount ?? nothing) is { } total
            ? new MeterCharge(meter, counters.Used(meter), included, units, total, InOrder(plans))
            : null;
    }

    /// <summary>"PRO then ENTERPRISE" for more than one plan; null when one plan applied.</summary>
    private static string? InOrder(List<string> plans) => plans.Distinct().Count() > 1 ? string.Join(" then ", plans) : null;

    private static Plan PlanOf(PlanCode? code, PlanCatalog catalog) => (code is { } c ? catalog.Find(c) : null) ?? catalog.FreePlan;
}
