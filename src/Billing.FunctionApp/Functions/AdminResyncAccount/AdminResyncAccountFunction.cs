using Billing.Application.Entitlements;
using Billing.Application.Subscriptions;
using Billing.Domain.Accounts;
using Billing.Stripe.Errors;

namespace Billing.FunctionApp.Functions.AdminResyncAccount;

/// <summary>
/// <c>POST /api/billing/admin/accounts/{accountId}/resync</c> (admin role): reads the account's Stripe customer and
/// subscriptions and applies them (the remedy for missed events). 200 with the result; 404 no such account;
/// 409 no Stripe customer, or the customer belongs to another account; 502 Stripe failed.
/// </summary>
public static class AdminResyncAccountFunction
{
    public const string Name = "AdminResyncAccount";

    public static async Task<IResult> HandleAsync(string accountId, AccountStripeResync resync, AccountEntitlements entitlements, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resync);
        ArgumentNullException.ThrowIfNull(entitlements);
        ArgumentNullException.ThrowIfNull(time);
        if (!AccountId.TryParse(accountId, out var id, out var error))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid account id", detail: error);
        }

        AccountResyncResult result;
        try
        {
            result = await resync.ResyncAsync(id, cancellationToken).ConfigureAwait(false);
        }
        catch (StripeException exception)
        {
            return Results.Problem(statusCode: StatusCodes.Status502BadGateway, title: "Stripe failed", detail: exception.Message);
        }

        return result.Outcome switch
        {
            AccountResyncOutcome.AccountNotFound => Results.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such account", detail: $"Billing account '{id}' does not exist."),
            AccountResyncOutcome.NoStripeCustomer => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "No Stripe customer", detail: $"Account '{id}' has no Stripe customer and no customer's account_id metadata names it: nothing to sync."),
            AccountResyncOutcome.CustomerLinkedToOtherAccount => Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Customer belongs to another account", detail: $"Stripe customer {result.CustomerId} is linked to another account; nothing was changed."),
            _ => Results.Json(AccountResyncResponse.From(result, result.Account!, entitlements.Evaluate(result.Account!, time.GetUtcNow()))),
        };
    }
}
