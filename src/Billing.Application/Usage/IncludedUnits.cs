using Billing.Application.Entitlements;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// Keeps the units the current period's counters record as included (what invoicing prices a meter's overage with,
/// and what every count records) in step with an add-on bought or revoked after the meter's last count: without it,
/// the invoice would ignore an add-on bought after the last record, while the usage view already showed it.
/// </summary>
public sealed class IncludedUnits(AccountEntitlements entitlements, IUsageLedger ledger)
{
    /// <summary>Records what the account's plan and add-ons include of <paramref name="meter"/> now, when it bills that meter as overage.</summary>
    public async Task RefreshAsync(BillingAccount account, MeterName meter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        var entitlement = entitlements.Evaluate(account, now);
        if (entitlement.PolicyFor(meter).Included is { } included)
        {
            await ledger.SetIncludedAsync(account.Id, entitlement.PeriodKey, entitlement.Plan.Code, meter, included, entitlement.ExpiredUnits(meter), cancellationToken).ConfigureAwait(false);
        }
    }
}
