namespace Billing.StripeEmulator.State.Objects;

internal sealed class PortalSessionRecord : StoredObject
{
    public required string CustomerId { get; init; }

    public string? ReturnUrl { get; init; }

    public required string Configuration { get; init; }

    public string? FlowType { get; init; }

    public string? Locale { get; init; }

    public required string Url { get; init; }
}
