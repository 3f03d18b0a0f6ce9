using Billing.Application.Trials;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.RateLimiting;

namespace Billing.FunctionApp.Api;

/// <summary><c>POST /api/billing/trial</c> (body empty or <c>{}</c>): starts the free trial, once per account ever.</summary>
public sealed class TrialFunction(LocalTrials trials)
{
    [EnableRateLimiting(RateLimitMiddleware.PerAccount)]
    [Function("BillingTrial")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/trial")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<EmptyRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is null)
        {
            return body.Problem!;
        }

        var outcome = await trials.StartAsync(CallerAccount.Of(request.HttpContext), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, ContractMapping.ToResponse);
    }
}
