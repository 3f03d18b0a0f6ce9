using Billing.Application.Usage;
using Billing.FunctionApp.Api.Contracts;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Api;

/// <summary>
/// <c>GET /api/billing/usage?period=current|YYYY-MM</c>: the caller's usage per meter against the limits, with the
/// overage so far priced; a month lists the periods that started in it.
/// </summary>
public sealed class UsageFunction(UsageReport report)
{
    [Function("BillingUsage")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/usage")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var period = query.Text("period");
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await report.GetAsync(CallerAccount.Of(request.HttpContext), period, cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, ContractMapping.ToResponse);
    }
}
