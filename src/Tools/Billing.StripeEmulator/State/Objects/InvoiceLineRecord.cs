namespace Billing.StripeEmulator.State.Objects;

/// <summary>An invoice line (object `line_item`): from a subscription item or from an invoice item.</summary>
internal sealed class InvoiceLineRecord
{
    public required string Id { get; init; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? Description { get; init; }

    public required long PeriodStart { get; init; }

    public required long PeriodEnd { get; init; }

    public long Quantity { get; init; } = 1;

    public string? PriceId { get; init; }

    public string? InvoiceItemId { get; init; }

    public string? SubscriptionId { get; init; }

    public string? SubscriptionItemId { get; init; }

    public bool Proration { get; init; }

    public string? UnitAmountDecimal { get; init; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
}
