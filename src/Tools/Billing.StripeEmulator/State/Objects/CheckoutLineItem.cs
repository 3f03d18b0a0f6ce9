namespace Billing.StripeEmulator.State.Objects;

/// <summary>One `line_items[]` entry of a Checkout Session (object `item`).</summary>
internal sealed class CheckoutLineItem
{
    public required string Id { get; init; }

    public required string PriceId { get; init; }

    public required long Quantity { get; init; }
}
