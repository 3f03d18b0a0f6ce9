using Billing.Application.Catalog;
using Billing.Domain.Plans;
using Billing.FunctionApp.Api.Contracts;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Api;

/// <summary>
/// <c>GET /api/billing/plans</c> (anonymous): the plan catalog with Stripe's prices, and the credit packs and add-ons
/// on sale, for a pricing page; cacheable for
/// five minutes. It answers even when Stripe cannot be reached (then without prices: <c>pricesAvailable: false</c>).
/// </summary>
public sealed class PlansFunction(PlanPricing pricing, PlanCatalog catalog, PurchaseCatalog purchases)
{
    [AllowAnonymous]
    [Function("BillingPlans")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/plans")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var offers = await pricing.ListAsync(cancellationToken).ConfigureAwait(false);
        if (offers.PricesAvailable)
        {
            request.HttpContext.Response.Headers.CacheControl = "public, max-age=300"; // otherwise no-store, as every answer (ExceptionMiddleware)
        }

        return Results.Ok(offers.ToResponse(catalog, purchases));
    }
}
