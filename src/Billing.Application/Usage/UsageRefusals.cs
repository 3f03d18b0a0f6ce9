using System.Globalization;
using Billing.Application.Outcomes;
using Billing.Domain.Accounts;
using Billing.Domain.Entitlements;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Usage;

/// <summary>The refusals usage and allocations share: an unknown account (404) and a hard limit reached (402).</summary>
internal static class UsageRefusals
{
    public static Outcome<T> UnknownAccount<T>(AccountId accountId) =>
        Outcome.Refused<T>(RefusalReason.AccountNotFound, $"No billing account '{accountId}' is registered; register it with PUT /api/accounts/{{accountId}} first.");

    /// <summary>
    /// 402 naming the meter, the limit, what is used or held and the first paid plan of the catalog that lets the
    /// meter go further (null when none does).
    /// </summary>
    public static Refusal QuotaExceeded(PlanCatalog catalog, Entitlement entitlement, MeterPolicy policy, long used, string situation)
    {
        var limit = policy.HardLimit!.Value;
        var upgrade = UpgradeFor(catalog, policy.Meter, limit);
        var detail = string.Create(CultureInfo.InvariantCulture, $"The {entitlement.Plan.DisplayName} plan allows {limit} {policy.Meter}{situation}.")
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

    /// <summary>The first paid plan of the catalog whose limit for <paramref name="meter"/> is above <paramref name="limit"/> (or absent).</summary>
    public static Plan? UpgradeFor(PlanCatalog catalog, MeterName meter, long limit) =>
        catalog.Plans.FirstOrDefault(p => p.Kind == PlanKind.Paid && (p.PolicyFor(meter).HardLimit is not { } other || other > limit));
}
