using Billing.Stripe;
using Billing.Stripe.Checkout;
using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.ClientCompatibility.Support;

/// <summary>A subscription the way the product gets one: a Checkout Session created with the client, paid on the
/// emulator's side (<c>/_emulator/checkout/sessions/{id}/complete</c>), read back with the client.</summary>
public static class Subscribe
{
    public const string SuccessUrl = "https://app.example.com/billing/success?session={CHECKOUT_SESSION_ID}";
    public const string CancelUrl = "https://app.example.com/billing";

    public static CheckoutSessionCreateRequest SessionRequest(string price, string tenantId, int? trialDays = null, string? customer = null) => new()
    {
        Mode = CheckoutSessionModes.Subscription,
        Customer = customer,
        LineItems = [new() { Price = price, Quantity = 1 }],
        ClientReferenceId = tenantId,
        SuccessUrl = SuccessUrl,
        CancelUrl = CancelUrl,
        Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId },
        SubscriptionData = new()
        {
            TrialPeriodDays = trialDays,
            Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId, ["plan"] = price },
        },
    };

    /// <summary>Creates and pays a subscription-mode session; returns the completed session (customer and subscription set).</summary>
    public static async Task<StripeCheckoutSession> ThroughCheckoutAsync(
        IStripeClient client, StripeEmulatorProcess emulator, string price = "price_pro_monthly", string tenantId = "tenant_1", int? trialDays = null, string paymentMethod = "succeeding")
    {
        var session = await client.CheckoutSessions.CreateAsync(SessionRequest(price, tenantId, trialDays));
        await CompleteAsync(emulator, session.Id, paymentMethod);
        return await client.CheckoutSessions.GetAsync(session.Id);
    }

    public static Task CompleteAsync(StripeEmulatorProcess emulator, string sessionId, string paymentMethod = "succeeding") =>
        emulator.ControlAsync(
            $"/_emulator/checkout/sessions/{sessionId}/complete",
            new Dictionary<string, string> { ["payment_method"] = paymentMethod, ["email"] = "buyer@example.com", ["name"] = "Buyer" });
}
