using Billing.Application.Credits;
using Billing.Domain.Credits;
using Billing.Domain.Invoicing;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Pricing;
using Microsoft.Extensions.Options;

namespace Billing.Application.Invoicing;

/// <summary>
/// Credit goes to invoices in the order their periods close, whichever job runs first: after an outage longer than a
/// period (or one job stalled), the sweep queues an account's closed periods newest first and their jobs run in
/// parallel, and the newer invoice would take the credit the older one was promised (by the upcoming invoice, by
/// docs/api.md). So what an invoice may spend, and what the upcoming invoice shows, is what the book holds once the
/// invoices of the account's periods that closed earlier, within the look-back window before, and have not spent yet
/// (<see cref="PendingInvoiceSpends"/>) have taken theirs, each as <see cref="InvoiceAccount"/> spends: its run's
/// total when its job has priced the period, else the period priced now. Reserved, not spent: each earlier job spends
/// its own when it runs, and a job that never finishes (in the poison queue) holds its part from the next period's
/// invoice only, the one whose window it falls in.
/// </summary>
public sealed class CreditOrder(PendingInvoiceSpends pending, CreditLedger credits, PlanCatalog catalog, IOptions<InvoicingOptions> options)
{
    /// <summary>
    /// <paramref name="book"/> (read through <see cref="CreditLedger.ReadAsync"/>) as the invoices of the periods that
    /// closed before <paramref name="closedBefore"/> (not <paramref name="except"/>, the one asking) leave it at
    /// <paramref name="now"/>: not a spend already posted (a job stopped between its spend and its save), not a period
    /// whose charges cannot be priced (beyond 64 bits, or in two currencies: its job bills nothing), which would otherwise
    /// fail every later invoice's spend and estimate of the account with it.
    /// </summary>
    public async Task<CreditBook> LeftByEarlierInvoicesAsync(CreditBook book, DateTimeOffset closedBefore, UsagePeriodKey except, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(book);
        if (!book.Grants.Any(g => g.Remaining > 0))
        {
            return book; // nothing to share
        }

        var from = new DateTimeOffset(options.Value.FirstDaySwept(closedBefore).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        foreach (var invoice in await pending.ListInvoicesAsync(book.AccountId, from, closedBefore, cancellationToken).ConfigureAwait(false))
        {
            if (invoice.Counters.Period.Key == except || (invoice.Run ?? Priced(invoice.Counters, now)) is not { Total: > 0 } run
                || (invoice.Run is not null && await credits.IsPostedAsync(book.AccountId, run.CreditSpendEntryKey, cancellationToken).ConfigureAwait(false)))
            {
                continue;
            }

            book = book.Apply(run.CreditSpendOperation, now).Book?.Settled() ?? book;
        }

        return book;
    }

    private InvoiceRun? Priced(UsageCounters counters, DateTimeOffset now)
    {
        try
        {
            return InvoiceRun.Start(PeriodCharges.Price(counters, catalog), now);
        }
        catch (OverflowException)
        {
            return null; // its job ends with a logged reason and bills nothing (InvoiceAccount)
        }
        catch (CurrencyMismatchException)
        {
            return null; // charges in two currencies, which one invoice cannot carry: its job fails on every delivery and bills nothing
        }
    }
}
