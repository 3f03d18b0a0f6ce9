using Billing.Application.Operations;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/poison/replay</c> (admin role) with <c>{"eventIds":["evt_..."]}</c> or <c>{"all":true}</c>:
/// moves those poison messages of the Stripe events queue back to the main queue; with <c>?queue=invoice-jobs</c> and
/// <c>{"runIds":["{accountId}:{periodKey}"]}</c> or <c>{"all":true}</c> those of the invoice jobs queue. Answers what
/// was moved and which ids were not found.
/// </summary>
public sealed class ReplayPoisonEventsFunction(PoisonQueues poison)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminReplayPoisonEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/poison/replay")] HttpRequest request, CancellationToken cancellationToken)
    {
        // The query's problem, not only an unknown queue: a repeated queue= resolves to the default queue, which must not be replayed.
        var query = new QueryParameters(request);
        var kind = PoisonQueueParameter.Resolve(query);
        if (query.Problem is { } problem)
        {
            return problem;
        }

        var body = await StrictJsonBody.ReadAsync<PoisonReplayRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await poison.ReplayAsync(kind!, new PoisonReplaySelection(input.EventIds, input.RunIds, input.All ?? false), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, replayed => replayed);
    }
}
