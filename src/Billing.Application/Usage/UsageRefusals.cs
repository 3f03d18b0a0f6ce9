using System.Globalization;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>The refusals of the service functions: an unknown account (404), and for usage and allocations a hard limit reached (402).</summary>
internal static class UsageRefusals
{
    public static Outcome<T> UnknownAccount<T>(AccountId accountId) =>
        Outcome.Refused<T>(RefusalReason.AccountNotFound, $"No billing account '{accountId}' is registered; register it with PUT /api/accounts/{{accountId}} first.");

    /// <summary>
    /// 402 naming the meter, the limit, what is used or held and the paid plan to suggest (<see cref="UpgradeFor"/>)
    /// for <paramref name="needed"/> units in all.
    /// </summary>
    public static Refusal QuotaExceeded(PlanCatalog catalog, Entitlement entitlement, MeterPolicy policy, long used, long needed, string situation)
    {
        var limit = policy.HardLimit!.Value;
        var upgrade = UpgradeFor(catalog, entitlement, policy.Meter, limit, needed);
        var detail = string.Create(CultureInfo.InvariantCulture, $"{policy.Meter}: the {entitlement.Plan.DisplayName} plan's limit is {limit}{situation}.")
                     + (entitlement.UnpaidPlan is { } unpaid ? $" A payment is overdue: the {unpaid.DisplayName} plan's limits apply again once it is paid." : string.Empty)
                     + (upgrade is null ? string.Empty : $" The {upgrade.DisplayName} plan allows more.");
        return new Refusal(RefusalReason.QuotaExceeded, detail)
        {
            Facts = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["meter"] = policy.Meter.Value,
                ["limit"] = limit,
                ["used"] = used,
                ["plan"] = entitlement.Plan.Code.Value,
                ["upgradePlan"] = upgrade?.Code.Value,
            },
        };
    }

    /// <summary>
    /// The paid plan to suggest, in catalog order: the first whose limit for <paramref name="meter"/> takes
    /// <paramref name="needed"/> units (what is used plus what was asked), else the first whose limit is above
    /// <paramref name="limit"/> (it allows more, if not all); null when no paid plan allows more. In a grace period after
    /// a failed upgrade, never the subscription's own plan (<see cref="Entitlement.UnpaidPlan"/>): paying gives it back,
    /// so nothing is suggested when it takes what is needed, and otherwise only a plan above it.
    /// </summary>
    public static Plan? UpgradeFor(PlanCatalog catalog, Entitlement entitlement, MeterName meter, long limit, long needed)
    {
        if (entitlement.UnpaidPlan is { } unpaid)
        {
            if (unpaid.PolicyFor(meter).HardLimit is not { } unpaidLimit || unpaidLimit >= needed)
            {
                return null;
            }

            limit = Math.Max(limit, unpaidLimit);
        }

        var higher = catalog.Plans.Where(p => p.Kind == PlanKind.Paid && (p.PolicyFor(meter).HardLimit is not { } other || other > limit)).ToList();
        return higher.FirstOrDefault(p => p.PolicyFor(meter).HardLimit is not { } other || other >= needed) ?? higher.FirstOrDefault();
    }

    /// <summary><paramref name="used"/> plus <paramref name="quantity"/>, at most <see cref="long.MaxValue"/>.</summary>
    public static long Needed(long used, long quantity) => used > long.MaxValue - quantity ? long.MaxValue : used + quantity;
}
