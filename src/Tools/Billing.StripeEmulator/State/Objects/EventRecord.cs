namespace Billing.StripeEmulator.State.Objects;

/// <summary>An event as created: its object snapshot is frozen (JSON text), only pending_webhooks moves.</summary>
internal sealed class EventRecord
{
    private int _pendingWebhooks;

    public required string Id { get; init; }

    public required string Type { get; init; }

    public required long Created { get; init; }

    public required string DataObjectJson { get; init; }

    public string? PreviousAttributesJson { get; init; }

    public required RequestInfo Request { get; init; }

    public long Sequence { get; set; }

    public int PendingWebhooks => Volatile.Read(ref _pendingWebhooks);

    public void SetPendingWebhooks(int count) => Volatile.Write(ref _pendingWebhooks, count);

    public void DeliveredToOneEndpoint()
    {
        if (Interlocked.Decrement(ref _pendingWebhooks) < 0)
        {
            Interlocked.Exchange(ref _pendingWebhooks, 0);
        }
    }
}
