using System.Text;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Pages;

/// <summary>`GET /billing_portal/{id}`: the customer's subscriptions with the portal's actions (change price, cancel).</summary>
internal static class PortalPage
{
    public static IEndpointRouteBuilder MapPortalPage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/billing_portal/{id}", Show);
        routes.MapPost("/billing_portal/{id}/{action}", Act);
        return routes;
    }

    private static IResult Show(string id, EmulatorStore store) =>
        store.Read(state => state.PortalSessions.TryGetValue(id, out var session)
            ? Render(session, state, error: null)
            : Html.Page("Not found", "<p>This portal session does not exist.</p>", StatusCodes.Status404NotFound));

    private static IResult Act(string id, string action, HttpContext context, EmulatorStore store, RenewalEngine engine)
    {
        var p = context.Params();
        var session = store.Read(state => state.PortalSessions.GetValueOrDefault(id));
        if (session is null)
        {
            return Html.Page("Not found", "<p>This portal session does not exist.</p>", StatusCodes.Status404NotFound);
        }

        try
        {
            store.Write(RequestInfo.Automatic, m => action switch
            {
                "change_price" => PortalActions.ChangePrice(m, session.CustomerId, p.NonEmptyString("subscription"), p.RequireString("price"), "create_prorations"),
                "cancel_at_period_end" => PortalActions.CancelAtPeriodEnd(m, session.CustomerId, p.NonEmptyString("subscription"), p.Bool("enabled") ?? true, null, null),
                "cancel_now" => PortalActions.CancelNow(m, session.CustomerId, p.NonEmptyString("subscription"), null, null),
                _ => throw StripeApiException.InvalidRequest($"Unknown portal action {action}.", null),
            });
            engine.RunDue();
            return Results.Redirect($"/billing_portal/{id}");
        }
        catch (StripeApiException error)
        {
            return store.Read(state => Render(session, state, error.Message, error.StatusCode));
        }
    }

    private static IResult Render(PortalSessionRecord session, EmulatorState state, string? error, int statusCode = StatusCodes.Status200OK)
    {
        var customer = state.Customers[session.CustomerId];
        var body = new StringBuilder($"<p>{Html.E(customer.Email ?? customer.Id)}</p>");
        if (error is not null)
        {
            body.Append($"<p class=\"error\">{Html.E(error)}</p>");
        }

        var recurring = state.Prices.Values.Where(p => p.IsRecurring && p.Active).OrderBy(p => p.Sequence).ToList();
        foreach (var subscription in state.Subscriptions.Values.Where(s => s.CustomerId == customer.Id).OrderBy(s => s.Sequence))
        {
            var price = state.Prices[subscription.Items[0].PriceId];
            var end = DateTimeOffset.FromUnixTimeSeconds(subscription.CurrentPeriodEnd).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            body.Append($"<h2>{Html.E(Lookup.ProductName(state, price))} ({Html.E(subscription.Status)})</h2>");
            body.Append($"<p>{Html.E(MoneyText.Format(price.UnitAmount, price.Currency))} / {Html.E(price.Interval)}; current period ends {end}{(subscription.CancelAtPeriodEnd ? ", then cancels" : string.Empty)}.</p>");
            if (!subscription.IsLive)
            {
                continue;
            }

            var options = string.Concat(recurring.Where(p => p.Id != price.Id && p.Currency == subscription.Currency)
                .Select(p => $"<option value=\"{Html.E(p.Id)}\">{Html.E(Lookup.ProductName(state, p))} {Html.E(MoneyText.Format(p.UnitAmount, p.Currency))} / {Html.E(p.Interval)}</option>"));
            var action = $"/billing_portal/{Html.E(session.Id)}";
            var sub = Html.E(subscription.Id);
            body.Append($"""
                <form method="post" action="{action}/change_price"><input type="hidden" name="subscription" value="{sub}"><select name="price">{options}</select> <button>Change plan</button></form>
                <form method="post" action="{action}/cancel_at_period_end"><input type="hidden" name="subscription" value="{sub}"><input type="hidden" name="enabled" value="{(subscription.CancelAtPeriodEnd ? "false" : "true")}"><button>{(subscription.CancelAtPeriodEnd ? "Renew plan" : "Cancel at period end")}</button></form>
                <form method="post" action="{action}/cancel_now"><input type="hidden" name="subscription" value="{sub}"><button>Cancel now</button></form>
                """);
        }

        if (session.ReturnUrl is { } returnUrl)
        {
            body.Append($"<p><a href=\"{Html.E(returnUrl)}\">Return</a></p>");
        }

        return Html.Page("Billing portal", body.ToString(), statusCode);
    }
}
