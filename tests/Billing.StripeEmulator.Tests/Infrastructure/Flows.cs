using System.Text.Json.Nodes;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>Common set-ups: a subscribed customer through Checkout, a plain customer.</summary>
public static class Flows
{
    public static async Task<string> CreateCustomerAsync(StripeApiClient stripe, string email = "jane@example.com", params (string Key, string Value)[] extra)
    {
        var form = new List<(string, string)> { ("email", email) };
        form.AddRange(extra);
        return (await stripe.PostAsync("/v1/customers", [.. form])).EnsureOk().Id;
    }

    public static async Task<string> CreateSessionAsync(StripeApiClient stripe, string price, int? trialDays = null, string? customer = null, params (string Key, string Value)[] extra)
    {
        var form = new List<(string, string)> { ("mode", "subscription"), ("line_items[0][price]", price), ("line_items[0][quantity]", "1"), ("success_url", "https://app.example.com/ok?session={CHECKOUT_SESSION_ID}") };
        if (trialDays is not null)
        {
            form.Add(("subscription_data[trial_period_days]", trialDays.Value.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (customer is not null)
        {
            form.Add(("customer", customer));
        }

        form.AddRange(extra);
        return (await stripe.PostAsync("/v1/checkout/sessions", [.. form])).EnsureOk().Id;
    }

    /// <summary>Checkout in subscription mode, paid; returns the completed session.</summary>
    public static async Task<JsonNode> SubscribeAsync(StripeApiClient stripe, string price = "price_pro_monthly", int? trialDays = null, string paymentMethod = "succeeding", string? customer = null)
    {
        var sessionId = await CreateSessionAsync(stripe, price, trialDays, customer);
        return (await stripe.ControlAsync($"/_emulator/checkout/sessions/{sessionId}/complete", ("payment_method", paymentMethod), ("email", "buyer@example.com"))).EnsureOk().Body;
    }

    public static async Task<JsonNode> GetSubscriptionAsync(StripeApiClient stripe, string id) =>
        (await stripe.GetAsync($"/v1/subscriptions/{id}")).EnsureOk().Body;

    public static Task<ApiResult> AdvanceAsync(StripeApiClient stripe, TimeSpan by) =>
        stripe.ControlAsync("/_emulator/clock/advance", ("seconds", ((long)by.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public static Task<ApiResult> AdvanceToAsync(StripeApiClient stripe, long unix) =>
        stripe.ControlAsync("/_emulator/clock/advance", ("to", unix.ToString(System.Globalization.CultureInfo.InvariantCulture)));
}
