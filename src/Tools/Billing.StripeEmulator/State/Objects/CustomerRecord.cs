namespace Billing.StripeEmulator.State.Objects;

internal sealed class CustomerRecord : StoredObject
{
    public string? Email { get; set; }

    public string? Name { get; set; }

    public string? Description { get; set; }

    public string? Phone { get; set; }

    public string? Currency { get; set; }

    public bool Delinquent { get; set; }

    /// <summary>
    /// The invoice balance per currency (`balance` shows the one in <see cref="Currency"/>): positive is owed by the
    /// customer, negative is credit; applied to the next invoice finalized in that currency (<see cref="Billing.CustomerBalances"/>).
    /// </summary>
    public Dictionary<string, long> Balances { get; } = new(StringComparer.Ordinal);

    /// <summary>The customer's `balance`: in its currency, 0 before it has one.</summary>
    public long Balance => Currency is { } currency ? Balances.GetValueOrDefault(currency) : 0;

    /// <summary>Deleted with `DELETE /v1/customers/{id}`: only retrievable as a deleted object.</summary>
    public bool Deleted { get; set; }

    public required string InvoicePrefix { get; init; }

    public int NextInvoiceSequence { get; set; } = 1;

    public List<string> PreferredLocales { get; } = [];

    /// <summary>The saved payment method's id (`pm_...`), set by Checkout or the payment-method control.</summary>
    public string? DefaultPaymentMethod { get; set; }

    /// <summary>How charges on this customer end; customers without a saved method are charged as if succeeding.</summary>
    public PaymentBehavior PaymentBehavior { get; set; } = PaymentBehavior.Succeeding;
}
