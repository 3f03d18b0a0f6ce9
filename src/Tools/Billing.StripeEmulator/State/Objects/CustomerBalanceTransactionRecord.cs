namespace Billing.StripeEmulator.State.Objects;

/// <summary>One change of a customer's invoice balance (`customer_balance_transaction`), in the ledger Stripe keeps of it.</summary>
internal sealed class CustomerBalanceTransactionRecord : StoredObject
{
    public required string CustomerId { get; init; }

    /// <summary>Positive: a debit (owed by the customer); negative: a credit.</summary>
    public required long Amount { get; init; }

    public required string Currency { get; init; }

    /// <summary>The customer's balance in <see cref="Currency"/> after this transaction.</summary>
    public required long EndingBalance { get; init; }

    /// <summary>adjustment, applied_to_invoice, invoice_too_small or unapplied_from_invoice (the ones the emulator makes).</summary>
    public required string Type { get; init; }

    public string? InvoiceId { get; init; }

    public string? Description { get; init; }
}
