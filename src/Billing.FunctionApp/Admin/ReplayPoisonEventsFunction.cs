using Billing.FunctionApp.Http;
using Billing.Infrastructure.Queues;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary>
/// <c>POST /api/billing/admin/poison/replay</c> (admin role) with <c>{"eventIds":["evt_..."]}</c> or <c>{"all":true}</c>:
/// moves those poison messages back to the main queue; answers what was moved and which ids were not found.
/// </summary>
public sealed class ReplayPoisonEventsFunction(StripeEventPoisonMessages poison)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminReplayPoisonEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "billing/admin/poison/replay")] HttpRequest request, CancellationToken cancellationToken)
    {
        var body = await StrictJsonBody.ReadAsync<PoisonReplayRequest>(request, required: true, cancellationToken).ConfigureAwait(false);
        if (body.Value is not { } input)
        {
            return body.Problem!;
        }

        var eventIds = input.EventIds?.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if ((eventIds.Count == 0) != (input.All ?? false))
        {
            return Problems.Invalid(StrictJsonBody.BodyField, "Send {\"eventIds\":[\"evt_...\"]} for selected events, or {\"all\":true} for every poison message (not both).");
        }

        return Results.Ok(await poison.ReplayAsync(eventIds, cancellationToken).ConfigureAwait(false));
    }
}
