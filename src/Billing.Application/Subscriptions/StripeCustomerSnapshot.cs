namespace Billing.Application.Subscriptions;

/// <summary>
/// A Stripe customer as Stripe answers its id now: one deleted is still answered (<paramref name="Deleted"/>), so an
/// answer at all means the customer existed in the Stripe account and mode the secret key reads.
/// </summary>
public sealed record StripeCustomerSnapshot(string CustomerId, bool Deleted);
