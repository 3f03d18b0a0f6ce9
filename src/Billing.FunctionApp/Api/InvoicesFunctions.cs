using Billing.Application;
using Billing.Application.Invoicing;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Api;

/// <summary>
/// <c>GET /api/billing/invoices</c>: the caller's usage invoices, newest first, paged with <c>cursor</c> and <c>limit</c>; <c>GET /api/billing/invoices/upcoming</c>:
/// what the current period has accrued so far, priced as its invoice will be (nothing is created).
/// </summary>
public sealed class InvoicesFunctions(AccountInvoices invoices)
{
    [Function("BillingInvoices")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/invoices")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var limit = query.WholeNumber(Paging.LimitField, Paging.LimitRule(AccountInvoices.MaxLimit));
        var cursor = query.Text(Paging.CursorField);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await invoices.ListAsync(CallerAccount.Of(request.HttpContext), cursor, limit, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, InvoicesResponse.From);
    }

    [Function("BillingUpcomingInvoice")]
    public async Task<IResult> Upcoming([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/invoices/upcoming")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var upcoming = await invoices.UpcomingAsync(CallerAccount.Of(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return Results.Ok(UpcomingInvoiceResponse.From(upcoming));
    }
}
