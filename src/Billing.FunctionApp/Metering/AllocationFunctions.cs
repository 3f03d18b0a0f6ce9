using Billing.Application.Usage;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Metering;

/// <summary>
/// Allocation meters (service credential): <c>POST /api/allocations/{meter}</c> takes one unit for an allocation id
/// (402 at the limit), <c>DELETE /api/allocations/{meter}/{allocationId}?accountId=</c> releases it. Both are
/// idempotent by allocation id: a repeat answers 200 with <c>changed: false</c>.
/// </summary>
public sealed class AllocationFunctions(Allocations allocations)
{
    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("TakeAllocation")]
    public async Task<IResult> Take(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "allocations/{meter}")] HttpRequest request,
        string meter,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var body = await StrictJsonBody.ReadAsync<AllocationBody>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } allocation)
        {
            return body.Problem!;
        }

        var outcome = await allocations.TakeAsync(new AllocationRequest(allocation.AccountId, meter, allocation.AllocationId), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, AllocationResponse.From);
    }

    [Authorize(Policy = Authentication.ServicePolicy)]
    [Function("ReleaseAllocation")]
    public async Task<IResult> Release(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "allocations/{meter}/{allocationId}")] HttpRequest request,
        string meter,
        string allocationId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var accountId = query.Text("accountId");
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var outcome = await allocations.ReleaseAsync(new AllocationRequest(accountId, meter, allocationId), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, AllocationResponse.From);
    }
}
