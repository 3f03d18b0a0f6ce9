using System.Globalization;
using Billing.FunctionApp.Http;
using Billing.Infrastructure.Queues;
using Microsoft.AspNetCore.Authorization;

namespace Billing.FunctionApp.Admin;

/// <summary><c>GET /api/billing/admin/poison?max=32</c> (admin role): the first poison messages (at most 32) with their events' status.</summary>
public sealed class ListPoisonEventsFunction(StripeEventPoisonMessages poison)
{
    [Authorize(Policy = Authentication.AdminPolicy)]
    [Function("AdminListPoisonEvents")]
    public async Task<IResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "billing/admin/poison")] HttpRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var max = StripeEventPoisonMessages.MaxPeek;
        if (request.Query.TryGetValue("max", out var text)
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out max) || max is < 1 or > StripeEventPoisonMessages.MaxPeek))
        {
            return Problems.Invalid("max", $"Must be a whole number from 1 to {StripeEventPoisonMessages.MaxPeek}.");
        }

        return Results.Ok(await poison.ListAsync(max, cancellationToken).ConfigureAwait(false));
    }
}
