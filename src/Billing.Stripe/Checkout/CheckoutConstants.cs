namespace Billing.Stripe.Checkout;

/// <summary>Values of <c>mode</c>.</summary>
public static class CheckoutSessionModes
{
    public const string Payment = "payment";
    public const string Setup = "setup";
    public const string Subscription = "subscription";
}

/// <summary>Values of a session's <c>status</c>.</summary>
public static class CheckoutSessionStatuses
{
    public const string Open = "open";
    public const string Complete = "complete";
    public const string Expired = "expired";
}

/// <summary>Values of a session's <c>payment_status</c>.</summary>
public static class CheckoutPaymentStatuses
{
    public const string Paid = "paid";
    public const string Unpaid = "unpaid";
    public const string NoPaymentRequired = "no_payment_required";
}

/// <summary>Values of <c>ui_mode</c> (2026-07-29.dahlia).</summary>
public static class CheckoutUiModes
{
    public const string HostedPage = "hosted_page";
    public const string EmbeddedPage = "embedded_page";
    public const string Elements = "elements";
}
