namespace Billing.StripeEmulator.State.Objects;

internal sealed class InvoiceItemRecord : StoredObject
{
    public required string CustomerId { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? Description { get; set; }

    public string? InvoiceId { get; set; }

    public string? SubscriptionId { get; init; }

    public string? PriceId { get; init; }

    public long Quantity { get; init; } = 1;

    public required string UnitAmountDecimal { get; init; }

    public required long PeriodStart { get; init; }

    public required long PeriodEnd { get; init; }

    public bool Proration { get; init; }

    public bool Discountable { get; init; } = true;
}
