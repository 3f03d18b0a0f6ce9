namespace Billing.StripeEmulator.State;

/// <summary>What happens when the emulator charges a customer's saved payment method.</summary>
internal enum PaymentBehavior
{
    /// <summary>Like test card 4242 4242 4242 4242.</summary>
    Succeeding,

    /// <summary>Like test card 4000 0000 0000 0341: attaches, then every charge is declined.</summary>
    Failing,

    /// <summary>Like test card 4000 0027 6000 3184: every off-session charge needs the customer to authenticate.</summary>
    RequiresAction,
}
