using System.Text;
using Billing.StripeEmulator.Billing;
using Billing.StripeEmulator.Checkout;
using Billing.StripeEmulator.Controls;
using Billing.StripeEmulator.State;
using Billing.StripeEmulator.State.Objects;
using Billing.StripeEmulator.Wire;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Pages;

/// <summary>`GET /checkout/{id}`: the session's payment page; `POST /checkout/{id}` pays it and redirects to `success_url`.</summary>
internal static class CheckoutPage
{
    public static IEndpointRouteBuilder MapCheckoutPage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/checkout/{id}", Show);
        routes.MapPost("/checkout/{id}", Pay);
        return routes;
    }

    private static IResult Show(string id, EmulatorStore store) =>
        store.Read(state => state.CheckoutSessions.TryGetValue(id, out var session)
            ? Render(session, state, error: null)
            : Html.Page("Not found", "<p>This Checkout Session does not exist.</p>", StatusCodes.Status404NotFound));

    private static IResult Pay(string id, HttpContext context, CheckoutPayments payments, EmulatorStore store)
    {
        var p = context.Params();
        var behavior = ControlParams.Behavior(p, "payment_method") ?? PaymentBehavior.Succeeding;
        try
        {
            var session = payments.Pay(id, behavior, p.NonEmptyString("email"), p.NonEmptyString("name"));
            if (session.SuccessUrl is { } successUrl)
            {
                return Results.Redirect(successUrl.Replace("{CHECKOUT_SESSION_ID}", session.Id, StringComparison.Ordinal));
            }

            return Html.Page("Payment complete", $"<p>Thanks! Checkout Session <code>{Html.E(session.Id)}</code> is complete.</p>");
        }
        catch (StripeApiException error) when (error.StatusCode != StatusCodes.Status404NotFound)
        {
            return store.Read(state => Render(state.CheckoutSessions[id], state, error.Message, error.StatusCode));
        }
    }

    private static IResult Render(CheckoutSessionRecord session, EmulatorState state, string? error, int statusCode = StatusCodes.Status200OK)
    {
        var body = new StringBuilder();
        body.Append("<table><tr><th>Item</th><th>Qty</th><th>Amount</th></tr>");
        long total = 0;
        foreach (var line in session.LineItems)
        {
            var price = state.Prices[line.PriceId];
            var amount = price.UnitAmount * line.Quantity;
            total += amount;
            var every = price.IsRecurring ? $" / {price.Interval}" : string.Empty;
            body.Append($"<tr><td>{Html.E(Lookup.ProductName(state, price))}</td><td>{line.Quantity}</td><td>{Html.E(MoneyText.Format(amount, price.Currency) + every)}</td></tr>");
        }

        body.Append($"<tr><th colspan=\"2\">Total</th><th>{Html.E(MoneyText.Format(total, session.Currency))}</th></tr></table>");
        if (session.TrialPeriodDays is { } days)
        {
            body.Append($"<p>{days} days free, then billed every period.</p>");
        }

        if (error is not null)
        {
            body.Append($"<p class=\"error\">{Html.E(error)}</p>");
        }

        if (session.Status == "open")
        {
            var email = session.CustomerId is not null && state.Customers.TryGetValue(session.CustomerId, out var customer) ? customer.Email : session.CustomerEmail;
            body.Append($"""
                <form method="post" action="/checkout/{Html.E(session.Id)}">
                <p><label>Email <input name="email" type="email" value="{Html.E(email)}"></label></p>
                <p>{Html.PaymentMethodSelect("payment_method")}</p>
                <p><button type="submit">Pay</button></p>
                </form>
                """);
            if (session.CancelUrl is { } cancelUrl)
            {
                body.Append($"<p><a href=\"{Html.E(cancelUrl)}\">Cancel</a></p>");
            }
        }
        else
        {
            body.Append($"<p>This Checkout Session is {Html.E(session.Status)}.</p>");
        }

        return Html.Page(session.Mode == "subscription" ? "Subscribe" : "Pay", body.ToString(), statusCode);
    }
}
