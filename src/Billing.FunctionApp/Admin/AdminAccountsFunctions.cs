using Billing.Application;
using Billing.Application.Admin;
using Billing.Domain.Accounts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>GET /api/billing/admin/accounts?plan=&amp;status=&amp;q=&amp;cursor=&amp;limit=</c> (admin role): a page of accounts from the
/// account index with plan, status, period, usage against limits and credit balance; <c>GET /api/billing/admin/accounts/{accountId}</c>:
/// everything about one account (404 when it does not exist).
/// </summary>
public sealed class AdminAccountsFunctions(AdminAccounts accounts)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminListAccounts")]
    public async Task<IResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/accounts")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var listing = new AdminAccountListRequest(query.Text("plan"), query.Text("status"), query.Text("q"), query.Text(Paging.CursorField), query.WholeNumber(Paging.LimitField, Paging.LimitRule(AdminListing.MaxPageSize)));
        if (query.Problem is { } problem)
        {
            return problem;
        }

        return Problems.Answer(await accounts.ListAsync(listing, cancellationToken).ConfigureAwait(false), AdminAccountsResponse.From);
    }

    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminGetAccount")]
    public async Task<IResult> Get(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/accounts/{accountId}")] HttpRequest request,
        string accountId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Problems.Invalid("accountId", error ?? "Not a valid account id.");
        }

        return Problems.Answer(await accounts.GetAsync(id, cancellationToken).ConfigureAwait(false), AdminAccountResponse.From);
    }
}
