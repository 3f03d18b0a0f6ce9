using Billing.Application.Checkout;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Billing.FunctionApp.Api;

/// <summary><c>POST /api/billing/checkout</c>: a Stripe Checkout Session for a paid plan (the customer is created on first need).</summary>
public sealed class CheckoutFunction(CheckoutSessions checkout)
{
    [EnableRateLimiting(RateLimitMiddleware.PerAccount)]
    [Function("BillingCheckout")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/checkout")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<CheckoutRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await checkout.StartAsync(
            CallerAccount.Of(request.HttpContext),
            new StartCheckout { Plan = input.Plan, Interval = input.Interval, SuccessUrl = input.SuccessUrl, CancelUrl = input.CancelUrl },
            cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, ContractMapping.ToResponse);
    }
}
