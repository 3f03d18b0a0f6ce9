using Billing.StripeEmulator.State.Objects;

namespace Billing.StripeEmulator.State;

/// <summary>Everything the emulator knows. Only touched under <see cref="EmulatorStore"/>'s lock.</summary>
internal sealed class EmulatorState(string publicBaseUrl)
{
    private long _sequence;

    /// <summary>Where the emulator's own pages (checkout, portal, hosted invoices) are reachable, without a trailing slash.</summary>
    public string PublicBaseUrl { get; } = publicBaseUrl;

    public Dictionary<string, CustomerRecord> Customers { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ProductRecord> Products { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PriceRecord> Prices { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CheckoutSessionRecord> CheckoutSessions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PortalSessionRecord> PortalSessions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, SubscriptionRecord> Subscriptions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, InvoiceRecord> Invoices { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, InvoiceItemRecord> InvoiceItems { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CustomerBalanceTransactionRecord> CustomerBalanceTransactions { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PaymentIntentRecord> PaymentIntents { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, ChargeRecord> Charges { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, RefundRecord> Refunds { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DisputeRecord> Disputes { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, EventRecord> Events { get; } = new(StringComparer.Ordinal);

    /// <summary>Events in creation order.</summary>
    public List<EventRecord> EventLog { get; } = [];

    public List<MeterEventRecord> MeterEvents { get; } = [];

    public Dictionary<string, MeterEventRecord> MeterEventsByIdentifier { get; } = new(StringComparer.Ordinal);

    public long NextSequence() => ++_sequence;

    public T Add<T>(Dictionary<string, T> table, T item)
        where T : StoredObject
    {
        item.Sequence = NextSequence();
        table.Add(item.Id, item);
        return item;
    }
}
