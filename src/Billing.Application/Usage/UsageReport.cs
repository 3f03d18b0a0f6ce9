using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;

namespace Billing.Application.Usage;

/// <summary>One usage period of an account, every consumption meter priced with the plan that applied to it.</summary>
public sealed record UsagePeriodReport(UsagePeriod Period, Plan Plan, IReadOnlyList<MeterUsage> Meters)
{
    /// <summary>The overage accrued in the period, per currency (one entry for a plan with overage meters).</summary>
    public IReadOnlyList<Money> OverageTotal => [.. Meters
        .Where(m => m.OverageCharge is not null)
        .GroupBy(m => m.OverageCharge!.Value.Currency)
        .Select(g => g.Aggregate(Money.Zero(g.Key), (sum, m) => sum + m.OverageCharge!.Value))];
}

/// <summary>The answer of <c>GET /api/billing/usage</c>: the periods asked for (the current one, or those that started in a month).</summary>
public sealed record UsageReportResult(AccountId AccountId, DateTimeOffset AsOf, string Requested, IReadOnlyList<UsagePeriodReport> Periods);

/// <summary>
/// The caller's usage per meter against limits, with the overage so far priced (<c>GET /api/billing/usage</c>).
/// <c>current</c> is two point reads (account, period counters); <c>YYYY-MM</c> is one query inside the account's
/// partition for the periods that started in that month (a month can hold two, e.g. free then paid), and a point read
/// of the account for its add-ons when there are any periods.
/// </summary>
public sealed class UsageReport(PlanCatalog catalog, IBillingAccountStore accounts, AccountEntitlements entitlements, IUsageLedger ledger, TimeProvider time)
{
    public const string Current = "current";

    public async Task<Outcome<UsageReportResult>> GetAsync(AccountId accountId, string? period, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var requested = string.IsNullOrEmpty(period) ? Current : period;
        if (requested == Current)
        {
            var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? BillingAccount.Open(accountId, now);
            var entitlement = entitlements.Evaluate(account, now);
            var counters = await ledger.GetAsync(accountId, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false);
            return Outcome.Succeeded(new UsageReportResult(accountId, now, requested, [Report(entitlement.Period, entitlement.Plan, entitlement.PolicyFor, counters is null ? null : entitlement.CountersNow(counters))]));
        }

        if (!DateTime.TryParseExact(requested, "yyyy-MM", CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var month)
            || month.Year >= DateTime.MaxValue.Year)
        {
            return Outcome.Invalid<UsageReportResult>("period", "Use 'current' or a month as YYYY-MM (e.g. 2026-11).");
        }

        var from = new DateTimeOffset(month.Year, month.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var periods = await ledger.ListStartedAsync(accountId, from, from.AddMonths(1), cancellationToken).ConfigureAwait(false);
        var addOns = periods.Count == 0 ? [] : (await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false))?.AddOns ?? [];
        return Outcome.Succeeded(new UsageReportResult(
            accountId,
            now,
            requested,
            [.. periods.Select(c => PastReport(c, addOns))]));
    }

    /// <summary>
    /// A past period: an overage meter shows the included units recorded with its counts (<see cref="MeterUsage.From"/>);
    /// a hard limit is the plan's raised by the add-ons that applied during the period, the most the limit reached, so
    /// usage that add-ons allowed never shows above its limit.
    /// </summary>
    private UsagePeriodReport PastReport(UsageCounters counters, IReadOnlyList<MeterAddOn> addOns)
    {
        var plan = (counters.Plan is { } code ? catalog.Find(code) : null) ?? catalog.FreePlan;
        var applied = addOns.Where(a => a.AppliedDuring(counters.Period)).ToList();
        MeterPolicy PolicyFor(MeterName meter)
        {
            var policy = plan.PolicyFor(meter);
            return policy.HardLimit is null ? policy : policy.Raised(applied.Where(a => a.Meter == meter).Sum(a => a.Units));
        }

        return Report(counters.Period, plan, PolicyFor, counters);
    }

    /// <summary>The current period's limits include the add-ons that apply now (<paramref name="policyFor"/>); a past one is described at <see cref="PastReport"/>.</summary>
    private UsagePeriodReport Report(UsagePeriod period, Plan plan, Func<MeterName, MeterPolicy> policyFor, UsageCounters? counters) =>
        new(period, plan, [.. catalog.Meters.Select(meter => MeterUsage.From(policyFor(meter), counters, catalog))]);
}
