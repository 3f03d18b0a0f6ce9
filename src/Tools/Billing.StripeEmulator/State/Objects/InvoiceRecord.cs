using Billing.StripeEmulator.Billing;

namespace Billing.StripeEmulator.State.Objects;

internal sealed class InvoiceRecord : StoredObject
{
    public required string CustomerId { get; init; }

    public string? SubscriptionId { get; init; }

    /// <summary>draft, open, paid, void, uncollectible.</summary>
    public string Status { get; set; } = "draft";

    public string? Number { get; set; }

    public required string Currency { get; set; }

    public List<InvoiceLineRecord> Lines { get; } = [];

    public bool AutoAdvance { get; set; }

    /// <summary>charge_automatically, or send_invoice (then <see cref="DaysUntilDue"/> or <see cref="DueDate"/> is set).</summary>
    public string CollectionMethod { get; set; } = "charge_automatically";

    /// <summary>send_invoice only: the due date is this many days after finalization.</summary>
    public long? DaysUntilDue { get; set; }

    public long? DueDate { get; set; }

    public string? Description { get; set; }

    /// <summary>The payment method the invoice is charged with when set at creation (`default_payment_method`).</summary>
    public string? DefaultPaymentMethod { get; set; }

    /// <summary>The legacy source (card_, src_) the invoice is charged with when set at creation (`default_source`).</summary>
    public string? DefaultSource { get; set; }

    /// <summary>manual, subscription_create, subscription_cycle, subscription_update.</summary>
    public required string BillingReason { get; init; }

    public required long PeriodStart { get; set; }

    public required long PeriodEnd { get; set; }

    public long AmountPaid { get; set; }

    /// <summary>Marked paid with `paid_out_of_band=true` (amount_paid_off_stripe).</summary>
    public bool PaidOutOfBand { get; set; }

    /// <summary>The PaymentIntent that charges this invoice (made at the first attempt, reused by later ones).</summary>
    public string? PaymentIntentId { get; set; }

    /// <summary>The invoice payment (`inpay_...`) linking the PaymentIntent, listed by `expand[]=payments`.</summary>
    public string? InvoicePaymentId { get; set; }

    public int AttemptCount { get; set; }

    public bool Attempted { get; set; }

    public long? FinalizedAt { get; set; }

    public long? PaidAt { get; set; }

    public long? VoidedAt { get; set; }

    public long? MarkedUncollectibleAt { get; set; }

    /// <summary>Why it is uncollectible (`status_details.uncollectible.reason`): user_forgiven or subscription_paused.</summary>
    public string? UncollectibleReason { get; set; }

    public string? CustomerEmail { get; set; }

    public string? CustomerName { get; set; }

    /// <summary>The customer's balance in the invoice's currency when it was finalized (`starting_balance`); null while a draft.</summary>
    public long? StartingBalance { get; set; }

    /// <summary>The customer's balance once finalization applied it (`ending_balance`); null while a draft.</summary>
    public long? EndingBalance { get; set; }

    /// <summary>`amount_due` as finalization fixed it (<see cref="CustomerBalances.Settle"/>); null while a draft.</summary>
    public long? FinalAmountDue { get; set; }

    public long Subtotal => Lines.Sum(l => l.Amount);

    public long Total => Subtotal;

    /// <summary>What finalization fixed; before it, the total (a negative total is owed to the customer: nothing is due).</summary>
    public long AmountDue => AmountDueWith(draftBalance: 0);

    public long AmountRemaining => AmountRemainingWith(draftBalance: 0);

    /// <summary>
    /// `amount_due`: what finalization fixed; before it, the total plus the customer's current balance in the invoice's
    /// currency (<paramref name="draftBalance"/>, the draft's `starting_balance`), never below 0.
    /// </summary>
    public long AmountDueWith(long draftBalance) => FinalAmountDue ?? Math.Max(0, Total + draftBalance);

    /// <summary>`amount_remaining`: the difference between `amount_due` (<see cref="AmountDueWith"/>) and `amount_paid`; 0 once paid.</summary>
    public long AmountRemainingWith(long draftBalance) => Status == "paid" ? 0 : Math.Max(0, AmountDueWith(draftBalance) - AmountPaid);
}
