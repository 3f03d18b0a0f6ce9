using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;

namespace Billing.Application.Invoicing;

/// <summary>
/// What the current period has accrued (<see cref="Charges"/>, priced as its invoice will be) and the prepaid credit
/// in its currency that would pay part of it (<see cref="CreditApplicable"/>, at most the total): spendable now and
/// not expiring before the period's end, once the invoices of closed periods that have not spent yet have taken theirs.
/// An estimate, since usage can still be counted and credit spent, bought or refunded before the period closes.
/// </summary>
public sealed record UpcomingInvoice(PeriodCharges Charges, long CreditApplicable)
{
    /// <summary>What the invoice would bill now: the charges less <see cref="CreditApplicable"/>.</summary>
    public long AmountDue => Charges.Total.MinorUnits - CreditApplicable;
}

/// <summary>
/// The caller's usage invoices (<c>GET /api/billing/invoices</c>: the runs that produced one, newest first, from the
/// account's partition) and what the current period has accrued so far (<c>GET /api/billing/invoices/upcoming</c>),
/// priced exactly as the period's invoice will be, with the credit that would pay part of it, without creating anything.
/// Credit goes to invoices in the order their periods close, so the invoices of closed periods not yet invoiced (within
/// the look-back window the daily sweep queues from) are priced and their spends applied to a copy of the book first,
/// by the ledger's own rules (<see cref="CreditOrder"/>); only what they leave is shown.
/// </summary>
public sealed class AccountInvoices(
    IInvoiceRunStore runs,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    IUsageLedger usage,
    CreditLedger credits,
    CreditOrder order,
    PlanCatalog catalog,
    TimeProvider time)
{
    public const int MaxListed = 100;

    public Task<IReadOnlyList<InvoiceRun>> ListAsync(AccountId accountId, CancellationToken cancellationToken) =>
        runs.ListInvoicedAsync(accountId, MaxListed, cancellationToken);

    public async Task<UpcomingInvoice> UpcomingAsync(AccountId accountId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var account = await accounts.GetAsync(accountId, cancellationToken).ConfigureAwait(false) ?? BillingAccount.Open(accountId, now);
        var entitlement = entitlements.Evaluate(account, now);
        var counters = await usage.GetAsync(accountId, entitlement.PeriodKey, cancellationToken).ConfigureAwait(false)
                       ?? new UsageCounters { AccountId = accountId, Period = entitlement.Period, Counters = new Dictionary<MeterName, long>() };
        // As the usage view shows the period (Entitlement.CountersNow): what a count now records, so a catalog deployed
        // since the last count (a plan's included units changed) prices as the next count, and so the invoice, will.
        var charges = PeriodCharges.Price(entitlement.CountersNow(counters), catalog);
        if (charges.IsZero)
        {
            return new UpcomingInvoice(charges, 0);
        }

        // The invoice is owed at the period's end: credit that expires before it cannot pay it, though spendable now.
        var owedAt = entitlement.Period.End;
        var book = await credits.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (book.Spendable(charges.Currency, owedAt, now) > 0)
        {
            book = await order.LeftByEarlierInvoicesAsync(book, now, entitlement.PeriodKey, now, cancellationToken).ConfigureAwait(false);
        }

        return new UpcomingInvoice(charges, Math.Min(book.Spendable(charges.Currency, owedAt, now), charges.Total.MinorUnits));
    }
}
