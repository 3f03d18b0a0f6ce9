namespace Billing.Benchmarks.Events;

/// <summary>Which webhook body a benchmark signs and parses.</summary>
public enum EventBody
{
    /// <summary>Stripe's example event envelope (a plan.created with a small price object), about 0.9 KB.</summary>
    Small,

    /// <summary>customer.subscription.updated with a full subscription object and previous_attributes, about 7 KB.</summary>
    SubscriptionUpdated,
}
