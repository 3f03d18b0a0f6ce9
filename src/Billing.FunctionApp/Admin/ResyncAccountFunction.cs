using Billing.Application.Entitlements;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
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
public sealed class ResyncAccountFunction(AccountStripeResync resync, AccountEntitlements entitlements, TimeProvider time)
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

        var result = await resync.ResyncAsync(id, cancellationToken).ConfigureAwait(false);
        return result.Outcome switch
        {
            // The codes every other function answers, through the one mapping (same status and title for the same code)
            AccountResyncOutcome.AccountNotFound => Problems.Refused(new Refusal(RefusalReason.AccountNotFound, $"Billing account '{id}' does not exist.")),
            AccountResyncOutcome.NoStripeCustomer => Problems.Refused(new Refusal(RefusalReason.NoStripeCustomer, $"Account '{id}' has no Stripe customer and no customer's account_id metadata names it: nothing to sync.")),
            AccountResyncOutcome.CustomerLinkedToOtherAccount => Problems.Of(StatusCodes.Status409Conflict, "Customer belongs to another account", $"Stripe customer {result.CustomerId} is linked to another account; nothing was changed.", "customer_linked_to_other_account"),
            _ => Results.Ok(AccountResyncResponse.From(result, result.Account!, entitlements.Evaluate(result.Account!, time.GetUtcNow()))),
        };
    }
}
