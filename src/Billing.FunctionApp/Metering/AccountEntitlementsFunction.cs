using Billing.Application.Entitlements;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Metering;

/// <summary>
/// <c>GET /api/accounts/{accountId}/entitlements</c> (service credential): what <c>GET /api/billing/entitlements</c>
/// answers a signed-in user, for the product's backend, which asks before a feature rather than a metered action
/// (for those, <c>POST /api/usage/check</c>). 404 for an account that was never registered.
/// </summary>
public sealed class AccountEntitlementsFunction(EntitlementsOverview overview)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("AccountEntitlements")]
    public async Task<IResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "accounts/{accountId}/entitlements")] HttpRequest request,
        string accountId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var outcome = await overview.GetRegisteredAsync(accountId, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, view => view.ToResponse());
    }
}
