using System.Globalization;
using Billing.Application.Accounts;
using Billing.Application.Credits;
using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
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

/// <summary>One page of the caller's usage invoices; <see cref="NextCursor"/> asks for the next one (null: this was the last).</summary>
public sealed record InvoicePage(IReadOnlyList<InvoiceRun> Invoices, string? NextCursor);

/// <summary>
/// The caller's usage invoices (<c>GET /api/billing/invoices</c>: the runs that produced one, newest period first, from
/// the account's partition, a page at a time: the cursor carries the start and key of the last period listed, bound to
/// the account like a filter, so a cursor of another account's listing is a field error on <c>cursor</c>) and what the current period has accrued so far (<c>GET /api/billing/invoices/upcoming</c>),
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
    /// <summary>
    /// The page size without <c>limit</c>: the 100 invoices the listing returned before it was paged, so a caller that
    /// does not page still sees what it saw (every invoice of some eight years of monthly periods).
    /// </summary>
    public const int DefaultLimit = 100;

    public const int MaxLimit = 100;

    private const string Listing = "invoices";

    private const string StartFormat = "yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'";

    public async Task<Outcome<InvoicePage>> ListAsync(AccountId accountId, string? cursor, int? limit, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        var position = Paging.After(Listing, cursor, errors, p => TryParsePosition(p, out _), ("account", accountId.Value));
        var size = Paging.Size(limit, DefaultLimit, MaxLimit, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<InvoicePage>(errors);
        }

        InvoicedRunPosition? after = TryParsePosition(position, out var parsed) ? parsed : null;
        var page = await runs.ListInvoicedAsync(accountId, after, size!.Value + 1, cancellationToken).ConfigureAwait(false);
        return page.Count > size
            ? Outcome.Succeeded(new InvoicePage([.. page.Take(size.Value)], Paging.Next(Listing, FormatPosition(InvoicedRunPosition.Of(page[size.Value - 1])), ("account", accountId.Value))))
            : Outcome.Succeeded(new InvoicePage(page, null));
    }

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

    /// <summary>A cursor's position: the period's start (UTC, to the tick) and its key, <c>|</c>-separated.</summary>
    private static string FormatPosition(InvoicedRunPosition position) =>
        position.PeriodStart.UtcDateTime.ToString(StartFormat, CultureInfo.InvariantCulture) + "|" + position.PeriodKey.Value;

    private static bool TryParsePosition(string? text, out InvoicedRunPosition position)
    {
        position = default;
        if (text?.Split('|') is not [var start, var key]
            || !DateTime.TryParseExact(start, StartFormat, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var instant)
            || !UsagePeriodKey.TryParse(key, out var periodKey))
        {
            return false;
        }

        position = new InvoicedRunPosition(new DateTimeOffset(instant, TimeSpan.Zero), periodKey);
        return true;
    }
}
