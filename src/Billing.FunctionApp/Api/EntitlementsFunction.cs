using Billing.Application.Entitlements;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Api;

/// <summary><c>GET /api/billing/entitlements</c>: every meter's limit and every feature flag the caller has now, and why.</summary>
public sealed class EntitlementsFunction(EntitlementsOverview overview)
{
    [Function("BillingEntitlements")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/entitlements")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var view = await overview.GetAsync(CallerAccount.Of(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return Results.Ok(view.ToResponse());
    }
}
