using Billing.Application.Portal;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Billing.FunctionApp.Api;

/// <summary><c>POST /api/billing/portal</c>: a Stripe customer portal session for the caller's customer.</summary>
public sealed class PortalFunction(PortalSessions portal)
{
    [EnableRateLimiting(RateLimitMiddleware.PerAccount)]
    [Function("BillingPortal")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/portal")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<PortalRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await portal.OpenAsync(CallerAccount.Of(request.HttpContext), new OpenPortal { ReturnUrl = input.ReturnUrl }, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, ContractMapping.ToResponse);
    }
}
