namespace Billing.StripeEmulator.State;

/// <summary>Names of <see cref="PaymentBehavior"/> on the wire, with the matching Stripe test payment methods.</summary>
internal static class PaymentBehaviors
{
    public static PaymentBehavior? Parse(string? value) => value switch
    {
        null or "" => null,
        "succeeding" or "pm_card_visa" or "4242424242424242" => PaymentBehavior.Succeeding,
        "failing" or "pm_card_chargeCustomerFail" or "4000000000000341" => PaymentBehavior.Failing,
        "requires_action" or "pm_card_authenticationRequired" or "4000002760003184" or "4000002500003155" => PaymentBehavior.RequiresAction,
        _ => null,
    };

    public static string Name(PaymentBehavior behavior) => behavior switch
    {
        PaymentBehavior.Failing => "failing",
        PaymentBehavior.RequiresAction => "requires_action",
        _ => "succeeding",
    };

    public const string Allowed = "succeeding, failing, requires_action";
}
