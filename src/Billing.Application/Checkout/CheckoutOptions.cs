namespace Billing.Application.Checkout;

/// <summary>Default redirect targets of Checkout (section <c>Billing:Checkout</c>), used when a request names none.</summary>
public sealed class CheckoutOptions
{
    public const string SectionName = "Billing:Checkout";

    /// <summary>After payment, e.g. <c>https://app.example.com/billing/success?session_id={CHECKOUT_SESSION_ID}</c>.</summary>
    public string SuccessUrl { get; set; } = "";

    /// <summary>When the customer backs out, e.g. <c>https://app.example.com/billing</c>.</summary>
    public string CancelUrl { get; set; } = "";

    /// <summary>How long a session stays open when Stripe does not report its <c>expires_at</c> (Stripe's default is 24 hours).</summary>
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromHours(24);
}
