using Billing.TestSupport;
using Stripe;
using Stripe.Checkout;

namespace Billing.StripeEmulator.Tests.StripeNet.Support;

/// <summary>Checkout the way the product does it: a session created with Stripe.net, paid on the emulator's side.</summary>
public static class Checkout
{
    public const string SuccessUrl = "https://app.example.com/billing/success?session={CHECKOUT_SESSION_ID}";
    public const string CancelUrl = "https://app.example.com/billing";

    public static SessionCreateOptions Subscription(string price, string tenantId, int? trialDays = null, string? customer = null) => new()
    {
        Mode = "subscription",
        Customer = customer,
        LineItems = [new SessionLineItemOptions { Price = price, Quantity = 1 }],
        AllowedPaymentMethodTypes = ["card"],
        ClientReferenceId = tenantId,
        SuccessUrl = SuccessUrl,
        CancelUrl = CancelUrl,
        Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId },
        SubscriptionData = new SessionSubscriptionDataOptions
        {
            TrialPeriodDays = trialDays,
            Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId, ["plan"] = price },
        },
    };

    public static SessionCreateOptions Payment(string price, string tenantId, long quantity = 1, string? customer = null) => new()
    {
        Mode = "payment",
        Customer = customer,
        LineItems = [new SessionLineItemOptions { Price = price, Quantity = quantity }],
        AllowedPaymentMethodTypes = ["card"],
        ClientReferenceId = tenantId,
        SuccessUrl = SuccessUrl,
        CancelUrl = CancelUrl,
        Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId, ["purchase"] = "credits" },
        PaymentIntentData = new SessionPaymentIntentDataOptions
        {
            Metadata = new Dictionary<string, string> { ["tenant_id"] = tenantId, ["purchase"] = "credits" },
        },
    };

    public static Task CompleteAsync(StripeEmulatorProcess emulator, string sessionId, string paymentMethod = "succeeding") =>
        emulator.ControlAsync(
            $"/_emulator/checkout/sessions/{sessionId}/complete",
            new Dictionary<string, string> { ["payment_method"] = paymentMethod, ["email"] = "buyer@example.com", ["name"] = "Buyer" });

    /// <summary>Creates and pays a subscription-mode session; returns it completed (customer and subscription set).</summary>
    public static async Task<Session> SubscribeAsync(StripeClient client, StripeEmulatorProcess emulator, string price = "price_pro_monthly", string tenantId = "tenant_1", int? trialDays = null)
    {
        var session = await client.V1.Checkout.Sessions.CreateAsync(Subscription(price, tenantId, trialDays));
        await CompleteAsync(emulator, session.Id);
        return await client.V1.Checkout.Sessions.GetAsync(session.Id);
    }
}
