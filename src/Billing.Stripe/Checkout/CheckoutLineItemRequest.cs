namespace Billing.Stripe.Checkout;

/// <summary>One <c>line_items[]</c> entry: a price id and a quantity.</summary>
public sealed record CheckoutLineItemRequest
{
    public required string Price { get; init; }

    public long? Quantity { get; init; }
}
