using Billing.Application.Admin;
using Billing.Domain.Accounts;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/accounts/{accountId}/resync</c> (admin role; body empty or <c>{}</c>): reads the account's Stripe customer and
/// subscriptions and applies them (the remedy for missed events). 200 with the result; 400 a malformed id; 404 no
/// such account; 409 no Stripe customer, or the customer belongs to another account; 502/503 Stripe failed.
/// </summary>
public sealed class ResyncAccountFunction(AdminAccountResync resync)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminResyncAccount")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/accounts/{accountId}/resync")] HttpRequest request,
        string accountId,
        CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<EmptyRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return body.Problem!;
        }

        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Problems.Invalid("accountId", error ?? "Not a valid account id.");
        }

        var outcome = await resync.ResyncAsync(id, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, AccountResyncResponse.From);
    }
}
