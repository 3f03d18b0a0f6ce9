using Billing.Application.Invoicing;

namespace Billing.Application.Admin;

/// <summary>
/// The operators' index of every account's invoices: an entry per invoice run that produced a Stripe invoice, kept
/// by the invoice run store when it saves such a run, listed newest period first by month and status without
/// reading the account partitions.
/// </summary>
public interface IInvoiceDirectory
{
    /// <summary>Up to <see cref="InvoiceDirectoryQuery.Limit"/> invoices, newest period first, after the keyset position <see cref="InvoiceDirectoryQuery.After"/>.</summary>
    Task<InvoiceDirectoryPage> ListAsync(InvoiceDirectoryQuery query, CancellationToken cancellationToken);
}

/// <summary>
/// A page request: periods that started in <paramref name="Month"/> (<c>yyyy-MM</c>), Stripe's invoice
/// <paramref name="Status"/>, entries after <paramref name="After"/> (a position from <see cref="InvoiceDirectoryPage.Last"/>).
/// </summary>
public sealed record InvoiceDirectoryQuery(string? Month, string? Status, string? After, int Limit);

/// <summary>A page of invoices; <paramref name="Last"/> is the position of the last one, to continue after; <paramref name="HasMore"/> when more match.</summary>
public sealed record InvoiceDirectoryPage(IReadOnlyList<InvoiceRun> Items, string? Last, bool HasMore);
