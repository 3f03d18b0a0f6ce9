using Billing.Application.Subscriptions;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Api;

/// <summary><c>GET /api/billing/subscription</c>: the caller's plan, subscription, trial and usage (read only).</summary>
public sealed class SubscriptionFunction(SubscriptionOverview overview)
{
    [Function("BillingSubscription")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/subscription")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var summary = await overview.GetAsync(CallerAccount.Of(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return Results.Ok(summary.ToResponse());
    }
}
