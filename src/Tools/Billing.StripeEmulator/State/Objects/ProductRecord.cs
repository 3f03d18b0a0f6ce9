namespace Billing.StripeEmulator.State.Objects;

internal sealed class ProductRecord : StoredObject
{
    public required string Name { get; set; }

    public string? Description { get; set; }

    public bool Active { get; set; } = true;

    public string? DefaultPrice { get; set; }

    public long Updated { get; set; }
}
