using Billing.Application.Operations;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>GET /api/billing/admin/poison?max=32&amp;queue=stripe-events</c> (admin role): the first poison messages (at most
/// 32) of the Stripe events queue with their events' status, or with <c>queue=invoice-jobs</c> of the invoice jobs
/// queue with their runs' state.
/// </summary>
public sealed class ListPoisonEventsFunction(PoisonQueues poison)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminListPoisonEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/poison")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var query = new QueryParameters(request);
        var kind = PoisonQueueParameter.Resolve(query);
        var max = query.WholeNumber("max", $"Must be a whole number from 1 to {PoisonQueueKinds.MaxPeek}.", 1, PoisonQueueKinds.MaxPeek);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        return Results.Ok(await poison.ListAsync(kind!, max ?? PoisonQueueKinds.MaxPeek, cancellationToken).ConfigureAwait(false));
    }
}
