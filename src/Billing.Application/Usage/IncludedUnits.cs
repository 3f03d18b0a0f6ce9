using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;

namespace Billing.Application.Usage;

/// <summary>
/// Keeps the units the current period's counters record as included (what invoicing prices a meter's overage with,
/// and what every count records) in step with an add-on bought or revoked after the meter's last count: without it,
/// the invoice would ignore an add-on bought after the last record, while the usage view already showed it.
/// </summary>
public sealed class IncludedUnits(IBillingAccountStore accounts, AccountEntitlements entitlements, IUsageLedger ledger)
{
    /// <summary>Refreshes from an account that keeps changing under it before the last one is left to the next change's refresh.</summary>
    private const int MaxPasses = 5;

    /// <summary>
    /// Records what the account's plan and add-ons include of <paramref name="meter"/> now, when it bills that meter as
    /// overage. The account is read again afterwards: one changed since <paramref name="account"/> was read (an add-on
    /// refunded on another instance, whose own refresh may have run first) is refreshed from as stored, so the refresh
    /// that writes last never writes from an account older than the last change's.
    /// </summary>
    public async Task RefreshAsync(BillingAccount account, MeterName meter, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(account);
        for (var pass = 1; pass <= MaxPasses; pass++)
        {
            var entitlement = entitlements.Evaluate(account, now);
            if (entitlement.PolicyFor(meter).Included is { } included)
            {
                await ledger.SetIncludedAsync(account.Id, entitlement.PeriodKey, entitlement.Plan.Code, meter, included, entitlement.AllowancesOf(meter), cancellationToken).ConfigureAwait(false);
            }

            if (await accounts.GetAsync(account.Id, cancellationToken).ConfigureAwait(false) is not { } stored || stored.Version == account.Version)
            {
                return;
            }

            account = stored;
        }
    }
}
