namespace Billing.Application.Payments;

/// <summary>How a Checkout Session asked to expire ended: either way it can no longer be paid.</summary>
public enum CheckoutSessionExpiry
{
    /// <summary>Expired now, or before (or Stripe no longer has it): never paid.</summary>
    Expired = 0,

    /// <summary>
    /// The customer completed it first: paid (or Stripe's trial begun), its subscription on its way even when its
    /// <c>checkout.session.completed</c> is not processed yet.
    /// </summary>
    Completed = 1,
}
