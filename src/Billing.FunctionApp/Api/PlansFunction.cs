using Billing.Domain.Plans;
using Billing.FunctionApp.Api.Contracts;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Api;

/// <summary><c>GET /api/billing/plans</c> (anonymous): the plan catalog for a pricing page, cacheable for five minutes.</summary>
public sealed class PlansFunction(PlanCatalog catalog)
{
    [AllowAnonymous]
    [Function("BillingPlans")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/plans")] HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.HttpContext.Response.Headers.CacheControl = "public, max-age=300";
        return Results.Ok(catalog.ToResponse());
    }
}
