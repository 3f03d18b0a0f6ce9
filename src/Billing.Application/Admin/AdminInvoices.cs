using Billing.Application.Invoicing;
using Billing.Application.Outcomes;

namespace Billing.Application.Admin;

/// <summary>The filters and cursor of <c>GET /api/billing/admin/invoices</c>.</summary>
public sealed record AdminInvoiceListRequest(string? Period = null, string? Status = null, string? Cursor = null, int? Limit = null);

/// <summary>A page of invoices of every account, newest period first; <paramref name="NextCursor"/> is null on the last page.</summary>
public sealed record AdminInvoicePage(IReadOnlyList<InvoiceRun> Invoices, string? NextCursor);

/// <summary>
/// Every account's usage invoices for operators (<c>GET /api/billing/admin/invoices?period=&amp;status=&amp;cursor=</c>), from the
/// invoice index (<see cref="IInvoiceDirectory"/>): one query per page, never a read of the account partitions.
/// </summary>
public sealed class AdminInvoices(IInvoiceDirectory directory)
{
    internal const string Listing = "invoices";

    /// <summary>Stripe's invoice statuses (a run's invoice is a draft until it is finalized), and a draft deleted in Stripe's.</summary>
    private static readonly string[] Statuses = ["draft", "open", "paid", "uncollectible", "void", InvoiceRunStatusSync.Deleted];

    public async Task<Outcome<AdminInvoicePage>> ListAsync(AdminInvoiceListRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new ValidationErrors();
        var month = AdminListing.Month("period", request.Period, errors);
        var status = string.IsNullOrEmpty(request.Status) ? null : request.Status;
        if (status is not null && !Statuses.Contains(status, StringComparer.Ordinal))
        {
            // Stripe's invoice statuses are a closed set: a typo (opn) would otherwise find nothing, silently.
            errors.Add("status", $"Use one of Stripe's invoice statuses: {string.Join(", ", Statuses)}.");
            status = null;
        }
        var after = Paging.After(Listing, request.Cursor, errors, null, ("period", month), ("status", status));
        var size = Paging.Size(request.Limit, AdminListing.DefaultPageSize, AdminListing.MaxPageSize, errors);
        if (!errors.IsEmpty)
        {
            return Outcome.Invalid<AdminInvoicePage>(errors);
        }

        var page = await directory.ListAsync(new InvoiceDirectoryQuery(month, status, after, size!.Value), cancellationToken).ConfigureAwait(false);
        var next = page.HasMore && page.Last is { } last ? Paging.Next(Listing, last, ("period", month), ("status", status)) : null;
        return Outcome.Succeeded(new AdminInvoicePage(page.Items, next));
    }
}
