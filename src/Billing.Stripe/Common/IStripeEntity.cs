namespace Billing.Stripe.Common;

/// <summary>A Stripe object with an id (every object the client pages through or expands).</summary>
public interface IStripeEntity
{
    string Id { get; }
}
