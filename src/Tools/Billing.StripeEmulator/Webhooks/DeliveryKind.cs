namespace Billing.StripeEmulator.Webhooks;

internal enum DeliveryKind
{
    /// <summary>The delivery that follows the event's creation.</summary>
    Original,

    /// <summary>The extra copy sent while duplicates are switched on.</summary>
    Duplicate,

    /// <summary>Asked for with `POST /_emulator/events/{id}/redeliver`.</summary>
    Redelivery,
}
