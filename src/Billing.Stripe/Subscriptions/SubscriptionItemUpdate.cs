namespace Billing.Stripe.Subscriptions;

/// <summary>One <c>items[]</c> entry of a subscription update: an existing item by <see cref="Id"/> (change price or
/// quantity, or <see cref="Deleted"/>), or a new item by <see cref="Price"/> alone.</summary>
public sealed record SubscriptionItemUpdate
{
    public string? Id { get; init; }

    public string? Price { get; init; }

    public long? Quantity { get; init; }

    public bool? Deleted { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
