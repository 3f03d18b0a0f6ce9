namespace Billing.Application.Invoicing;

/// <summary>
/// The Stripe side of usage invoicing. Every object carries the run's id in its metadata (<c>billing_run</c>, and
/// <c>meter</c> on items), so a run resumed after Stripe's 24-hour idempotency window finds what it created before.
/// Failures come as <see cref="Payments.PaymentProviderException"/>.
/// </summary>
public interface IStripeInvoicing
{
    /// <summary>
    /// The customer's invoice created for <paramref name="runId"/>, if any (reconciliation by metadata), among the
    /// invoices Stripe created at <paramref name="createdSince"/> or later (the period's end, less a margin for the
    /// clocks): what is looked through follows the period, not the customer's whole invoice history.
    /// </summary>
    Task<StripeUsageInvoice?> FindInvoiceAsync(string customerId, string runId, DateTimeOffset createdSince, CancellationToken cancellationToken);

    /// <summary>A draft invoice for the customer and subscription that takes no pending items, collected as the subscription collects.</summary>
    Task<StripeUsageInvoice> CreateDraftAsync(NewUsageInvoice invoice, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The items on the invoice created by a run, by meter (from their metadata).</summary>
    Task<IReadOnlyDictionary<string, string>> ListItemsByMeterAsync(string invoiceId, CancellationToken cancellationToken);

    /// <summary>Adds one line to the draft invoice; returns the item id.</summary>
    Task<string> AddItemAsync(NewUsageInvoiceItem item, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>The invoice as Stripe has it now (status and total included); null when Stripe has no such invoice (a draft deleted in the dashboard; for a finalized invoice, which Stripe never deletes, a key of another Stripe account or mode).</summary>
    Task<StripeUsageInvoice?> GetInvoiceAsync(string invoiceId, CancellationToken cancellationToken);

    /// <summary>Finalizes the draft and starts its collection (an invoice finalized already is returned as it is).</summary>
    Task<StripeUsageInvoice> FinalizeAsync(string invoiceId, string idempotencyKey, CancellationToken cancellationToken);

    /// <summary>
    /// The subscription's paused collection (<c>pause_collection</c>) as Stripe has it now, whether or not its
    /// <c>resumes_at</c> has passed; null when collection is not paused or the subscription no longer exists.
    /// </summary>
    Task<CollectionPause?> GetCollectionPauseAsync(string subscriptionId, CancellationToken cancellationToken);

    /// <summary>
    /// Finalizes the draft without starting its collection, then voids it (<see cref="CollectionPauseBehavior.Void"/>)
    /// or marks it uncollectible (<see cref="CollectionPauseBehavior.MarkUncollectible"/>): what Stripe does with the
    /// invoices of a subscription whose collection is paused so. A step done already is taken as it is.
    /// </summary>
    Task<StripeUsageInvoice> FinalizeUncollectedAsync(string invoiceId, CollectionPauseBehavior behavior, string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>What Stripe does with the invoices of a subscription while its collection is paused (<c>pause_collection.behavior</c>).</summary>
public enum CollectionPauseBehavior
{
    /// <summary><c>keep_as_draft</c> (and any behavior Stripe adds later): left a draft, for the merchant to finalize.</summary>
    KeepAsDraft = 1,

    /// <summary><c>mark_uncollectible</c>: finalized and marked uncollectible at once, never collected.</summary>
    MarkUncollectible = 2,

    /// <summary><c>void</c>: finalized and voided at once: nobody owes it.</summary>
    Void = 3,
}

/// <summary>A subscription's paused collection: how its invoices are treated, and when collection resumes by itself (null: when the merchant resumes it).</summary>
public sealed record CollectionPause(CollectionPauseBehavior Behavior, DateTimeOffset? ResumesAt)
{
    /// <summary>Whether collection is still paused at <paramref name="now"/> (Stripe resumes it at <c>resumes_at</c>).</summary>
    public bool IsInForceAt(DateTimeOffset now) => ResumesAt is not { } resumes || now < resumes;
}

public sealed record NewUsageInvoice(string RunId, string CustomerId, string? SubscriptionId, string Currency, string Description, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd, string AccountId);

public sealed record NewUsageInvoiceItem(string RunId, string InvoiceId, string CustomerId, string Meter, long Amount, string Currency, string Description, DateTimeOffset PeriodStart, DateTimeOffset PeriodEnd);

/// <summary>
/// A Stripe invoice as the run needs it: <paramref name="AmountDue"/> and <paramref name="AmountPaid"/> are Stripe's
/// <c>amount_due</c> (what it asks the customer to pay: the total plus the customer's balance applied at finalization,
/// 0 for an invoice below Stripe's minimum charge, whose amount Stripe carries to the customer's balance) and
/// <c>amount_paid</c>.
/// </summary>
public sealed record StripeUsageInvoice(string Id, string Status, string? Number, string? HostedInvoiceUrl, long Total, long AmountDue, long AmountPaid);
