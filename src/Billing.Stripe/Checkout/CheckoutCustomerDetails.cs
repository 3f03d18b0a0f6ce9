namespace Billing.Stripe.Checkout;

/// <summary>What the customer entered on the Checkout page.</summary>
public sealed record CheckoutCustomerDetails
{
    public string? Email { get; init; }

    public string? Name { get; init; }

    public string? Phone { get; init; }

    public string? TaxExempt { get; init; }
}
