using Billing.Application;
using Billing.Application.Credits;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Billing.FunctionApp.Api;

/// <summary>
/// The caller's prepaid credit and one-off purchases: <c>GET /api/billing/credits</c> (balances, grants, the ledger
/// paged with <c>cursor</c> and <c>limit</c>), <c>POST /api/billing/credits/checkout</c> (a credit pack) and
/// <c>POST /api/billing/addons/checkout</c> (an add-on), each answering a payment-mode Checkout URL.
/// </summary>
public sealed class CreditsFunctions(CreditsOverview overview, Purchases purchases)
{
    [Function("BillingCredits")]
    public async Task<IResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/credits")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var limit = query.WholeNumber(Paging.LimitField, Paging.LimitRule(CreditsOverview.MaxLimit));
        var cursor = query.Text(Paging.CursorField);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await overview.GetAsync(CallerAccount.Of(request.HttpContext), cursor, limit, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, CreditsResponse.From);
    }

    [EnableRateLimiting(RateLimitMiddleware.PerAccount)]
    [Function("BillingCreditsCheckout")]
    public async Task<IResult> BuyCredits([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/credits/checkout")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<CreditPackCheckoutRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await purchases.StartCreditPackAsync(CallerAccount.Of(request.HttpContext), input.Pack, input.SuccessUrl, input.CancelUrl, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, PurchaseCheckoutResponse.From);
    }

    [EnableRateLimiting(RateLimitMiddleware.PerAccount)]
    [Function("BillingAddOnCheckout")]
    public async Task<IResult> BuyAddOn([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/addons/checkout")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<AddOnCheckoutRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await purchases.StartAddOnAsync(CallerAccount.Of(request.HttpContext), input.AddOn, input.SuccessUrl, input.CancelUrl, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, PurchaseCheckoutResponse.From);
    }
}
