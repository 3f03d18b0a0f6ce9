namespace Billing.Stripe.Checkout;

/// <summary>Values of <c>ui_mode</c> (2026-07-29.dahlia).</summary>
public static class CheckoutUiModes
{
    public const string HostedPage = "hosted_page";
    public const string EmbeddedPage = "embedded_page";
    public const string Elements = "elements";
}
