namespace Billing.Stripe.Checkout;

/// <summary>Values of a session's <c>payment_status</c>.</summary>
public static class CheckoutPaymentStatuses
{
    public const string Paid = "paid";
    public const string Unpaid = "unpaid";
    public const string NoPaymentRequired = "no_payment_required";
}
