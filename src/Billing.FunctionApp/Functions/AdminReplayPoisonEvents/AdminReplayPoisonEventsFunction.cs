using Billing.FunctionApp.Infrastructure.Queues;

namespace Billing.FunctionApp.Functions.AdminReplayPoisonEvents;

/// <summary>
/// <c>POST /api/billing/admin/poison/replay</c> (admin role) with <c>{"eventIds":["evt_..."]}</c> or <c>{"all":true}</c>:
/// moves those poison messages back to the main queue; answers what was moved and which ids were not found.
/// </summary>
public static class AdminReplayPoisonEventsFunction
{
    public const string Name = "AdminReplayPoisonEvents";

    public static async Task<IResult> HandleAsync(StripeEventPoisonMessages poison, PoisonReplayRequest? request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poison);
        var eventIds = request?.EventIds?.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList() ?? [];
        if (request is null || (eventIds.Count == 0) != request.All)
        {
            return Results.Problem(
                statusCode: StatusCodes.Status400BadRequest,
                title: "Say what to replay",
                detail: "Send {\"eventIds\":[\"evt_...\"]} for selected events, or {\"all\":true} for every poison message (not both).");
        }

        var result = await poison.ReplayAsync(eventIds, cancellationToken).ConfigureAwait(false);
        return Results.Json(result);
    }
}
