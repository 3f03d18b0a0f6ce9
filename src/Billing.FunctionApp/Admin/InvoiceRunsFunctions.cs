using Billing.Application;
using Billing.Application.Invoicing;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// The operator's invoicing runs (admin role; <c>billing invoices run|show</c>):
/// <c>POST /api/billing/admin/invoices/runs</c> <c>{"period":"2026-11","dryRun":false,"accountId":null}</c> queues the
/// month's closed, not invoiced periods as the timer would (or prices them in a dry run);
/// <c>GET /api/billing/admin/invoices/runs?period=2026-11[&amp;accountId=][&amp;cursor=][&amp;limit=]</c> lists the month's
/// runs a page at a time (<c>complete</c> false while the month's run index may miss runs from before it);
/// <c>POST /api/billing/admin/invoices/runs/backfill</c> <c>{"period":"2026-11"}</c> names the month's runs from before the
/// index in it; <c>GET /api/billing/admin/invoices/runs/{id}</c> reads one run by its id or its Stripe invoice id.
/// </summary>
public sealed class InvoiceRunsFunctions(InvoicingRuns runs)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminStartInvoiceRun")]
    public async Task<IResult> Start([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/invoices/runs")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<InvoiceRunStartRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await runs.StartAsync(new InvoicingRunRequest(input.Period, input.DryRun ?? false, input.AccountId), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, InvoiceRunStartResponse.From);
    }

    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminListInvoiceRuns")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/invoices/runs")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var (period, accountId, cursor) = (query.Text("period"), query.Text("accountId"), query.Text(Paging.CursorField));
        var limit = query.WholeNumber(Paging.LimitField, Paging.LimitRule(InvoicingRuns.MaxPageSize));
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await runs.ListAsync(period, accountId, cursor, limit, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, page => new InvoiceRunsResponse([.. page.Runs.Select(InvoiceRunView.From)], page.NextCursor, page.Complete));
    }

    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminBackfillRunIndex")]
    public async Task<IResult> Backfill([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/invoices/runs/backfill")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<RunIndexBackfillRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await runs.BackfillRunIndexAsync(input.Period, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, RunIndexBackfillResponse.From);
    }

    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminGetInvoiceRun")]
    public async Task<IResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/invoices/runs/{id}")] HttpRequest request, string id, CancellationToken cancellationToken)
    {
        return Problems.Answer(await runs.FindAsync(id, cancellationToken).ConfigureAwait(false), InvoiceRunView.From);
    }
}
