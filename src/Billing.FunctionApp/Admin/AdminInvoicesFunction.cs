using Billing.Application;
using Billing.Application.Admin;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>GET /api/billing/admin/invoices?period=YYYY-MM&amp;status=&amp;cursor=&amp;limit=</c> (admin role): every account's usage
/// invoices from the invoice index, newest period first, a page at a time.
/// </summary>
public sealed class AdminInvoicesFunction(AdminInvoices invoices)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminListInvoices")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/invoices")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var listing = new AdminInvoiceListRequest(query.Text("period"), query.Text("status"), query.Text(Paging.CursorField), query.WholeNumber(Paging.LimitField, Paging.LimitRule(AdminListing.MaxPageSize)));
        if (query.Problem is { } problem)
        {
            return problem;
        }

        return Problems.Answer(await invoices.ListAsync(listing, cancellationToken).ConfigureAwait(false), AdminInvoicesResponse.From);
    }
}
