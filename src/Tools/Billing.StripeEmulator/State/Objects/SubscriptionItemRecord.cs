namespace Billing.StripeEmulator.State.Objects;

internal sealed class SubscriptionItemRecord
{
    public required string Id { get; init; }

    public required long Created { get; init; }

    public required string PriceId { get; set; }

    public long Quantity { get; set; } = 1;

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
}
