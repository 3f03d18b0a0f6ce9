using Billing.Application.Accounts;
using Billing.Application.Entitlements;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Invoicing;

/// <summary>
/// The caller's usage invoices (<c>GET /api/billing/invoices</c>: the runs that produced one, newest first, from the
/// account's partition) and what the current period has accrued so far (<c>GET /api/billing/invoices/upcoming</c>),
/// priced exactly as the period's invoice will be, without creating anything.
/// </summary>
public sealed class AccountInvoices(
    IInvoiceRunStore runs,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    IUsageLedger usage,
    PlanCatalog catalog,
    TimeProvider time)
{
    public const int MaxListed = 100;

    public Task<IReadOnlyList<InvoiceRun>> ListAsync(AccountId accountId, CancellationToken cancellationToken) =>
        runs.ListInvoicedAsync(accountId, MaxListed, cancellationToken);

    public async Task<PeriodCharges> UpcomingAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? BillingAccount.Open(accountId, now);
        var entitlement = entitlements.Evaluate(account, now);
        var counters = await usage.GetAsync(accountId, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false)
                       ?? new UsageCounters { AccountId = accountId, Period = entitlement.Period, Counters = new Dictionary<MeterName, long>() };
        return PeriodCharges.Price(counters.UnderPlan(entitlement.Plan.Code), catalog);
    }
}
