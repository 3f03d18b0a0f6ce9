using Billing.Application.StripeEvents.Recovery;
using Billing.FunctionApp.Http;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/events/recover</c> (admin role; body empty or <c>{"since":"2026-12-01T00:00:00Z","all":false,"dryRun":false,"limit":500,"cursor":null}</c>):
/// lists from Stripe the events of the handled types that some webhook endpoint has not received (or all of them) since
/// a time within the last 30 days and stores and queues the oldest <c>limit</c> not stored yet, as a webhook delivery is
/// (<see cref="StripeEventRecovery"/>). 200 with each event's outcome and, while more remain, the <c>nextCursor</c> to send
/// next; 400 a <c>since</c> in the future, older than 30 days or malformed, a <c>limit</c> outside 1..1000, a cursor
/// not handed out for the same since, all and dryRun (nothing done); 502/503 Stripe failed.
/// </summary>
public sealed class RecoverEventsFunction(StripeEventRecovery recovery)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminRecoverEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/events/recover")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<EventRecoveryRequest>(request, required: false, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var outcome = await recovery.RecoverAsync(new StripeEventRecoveryRequest(input.Since, input.All ?? false, input.DryRun ?? false, input.Limit, input.Cursor), cancellationToken).ConfigureAwait(false);
        return Problems.Answer(outcome, EventRecoveryResponse.From);
    }
}
