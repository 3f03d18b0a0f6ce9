namespace Billing.StripeEmulator.Webhooks;

/// <summary>The order held deliveries go out in when released.</summary>
internal enum ReleaseOrder
{
    Creation,
    Reverse,
    Shuffle,
}
