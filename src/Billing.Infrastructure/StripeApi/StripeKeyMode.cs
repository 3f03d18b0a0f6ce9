namespace Billing.Infrastructure.StripeApi;

/// <summary>Which Stripe data the configured secret key reaches: test mode (<c>sk_test_</c>, <c>rk_test_</c>) or live mode.</summary>
public enum StripeKeyMode
{
    Test,
    Live,
}
