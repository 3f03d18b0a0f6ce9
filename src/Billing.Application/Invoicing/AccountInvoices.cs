using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Credits;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>
/// What the current period has accrued (<see cref="Charges"/>, priced as its invoice will be) and the prepaid credit
/// spendable now in its currency that would pay part of it (<see cref="CreditApplicable"/>, at most the total), once
/// the invoices of closed periods that have not spent yet have taken theirs: an estimate, since credit can be spent,
/// bought or expire before the period closes.
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
/// the look-back window the daily sweep queues from: <see cref="PendingInvoiceSpends"/>) are priced and their spends
/// applied to a copy of the book first, by the ledger's own rules; only what they leave is shown.
/// </summary>
public sealed class AccountInvoices(
    IInvoiceRunStore runs,
    IBillingAccountStore accounts,
    AccountEntitlements entitlements,
    IUsageLedger usage,
    CreditLedger credits,
    PendingInvoiceSpends pending,
    PlanCatalog catalog,
    IOptions<InvoicingOptions> options,
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
        var charges = PeriodCharges.Price(counters.UnderPlan(entitlement.Plan.Code), catalog);
        if (charges.IsZero)
        {
            return new UpcomingInvoice(charges, 0);
        }

        var book = await credits.ReadAsync(accountId, cancellationToken).ConfigureAwait(false);
        if (book.Spendable(charges.Currency, now) > 0)
        {
            book = await AfterClosedInvoicesAsync(book, now, cancellationToken).ConfigureAwait(false);
        }

        return new UpcomingInvoice(charges, Math.Min(book.Spendable(charges.Currency, now), charges.Total.MinorUnits));
    }

    /// <summary>The book as it will be once each closed period's invoice has spent (as <see cref="InvoiceAccount"/> spends: its total, owed at its end).</summary>
    private async Task<CreditBook> AfterClosedInvoicesAsync(CreditBook book, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var closed = await pending.ListPeriodsAsync(book.AccountId, now.AddDays(-options.Value.LookbackDays), now, cancellationToken).ConfigureAwait(false);
        foreach (var run in closed.Select(counters => InvoiceRun.Start(PeriodCharges.Price(counters, catalog), now)).Where(r => r.Total > 0))
        {
            book = book.Apply(run.CreditSpendOperation, now).Book?.Settled() ?? book;
        }

        return book;
    }
}
