using Billing.FunctionApp.Infrastructure.Queues;

namespace Billing.FunctionApp.Functions.AdminListPoisonEvents;

/// <summary><c>GET /api/billing/admin/poison?max=32</c> (admin role): the first poison messages (at most 32) with their events' status.</summary>
public static class AdminListPoisonEventsFunction
{
    public const string Name = "AdminListPoisonEvents";

    public static async Task<IResult> HandleAsync(StripeEventPoisonMessages poison, int? max, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(poison);
        var listing = await poison.ListAsync(max ?? StripeEventPoisonMessages.MaxPeek, cancellationToken).ConfigureAwait(false);
        return Results.Json(listing);
    }
}
