namespace Billing.StripeEmulator.State.Objects;

internal sealed class SubscriptionRecord : StoredObject
{
    public required string CustomerId { get; init; }

    /// <summary>trialing, active, past_due, canceled, incomplete, unpaid.</summary>
    public required string Status { get; set; }

    public required string Currency { get; init; }

    public required List<SubscriptionItemRecord> Items { get; init; }

    public required long StartDate { get; init; }

    public required long BillingCycleAnchor { get; set; }

    /// <summary>Number of whole periods between the anchor and the current period's start.</summary>
    public int PeriodIndex { get; set; }

    public required long CurrentPeriodStart { get; set; }

    public required long CurrentPeriodEnd { get; set; }

    public long? TrialStart { get; set; }

    public long? TrialEnd { get; set; }

    public bool TrialWillEndSent { get; set; }

    public bool CancelAtPeriodEnd { get; set; }

    public long? CancelAt { get; set; }

    public long? CanceledAt { get; set; }

    public long? EndedAt { get; set; }

    public string? CancellationReason { get; set; }

    public string? CancellationFeedback { get; set; }

    public string? CancellationComment { get; set; }

    public string? LatestInvoiceId { get; set; }

    public string? Description { get; set; }

    public string? DefaultPaymentMethod { get; set; }

    /// <summary>charge_automatically (the default), or send_invoice (then <see cref="DaysUntilDue"/> is set). Stored and
    /// shown only: the invoices the emulator makes for the subscription itself are still charged automatically.</summary>
    public string CollectionMethod { get; set; } = "charge_automatically";

    /// <summary>send_invoice only: the days from finalization to the due date of its invoices.</summary>
    public long? DaysUntilDue { get; set; }

    /// <summary>`pause_collection[behavior]` (keep_as_draft, mark_uncollectible or void) while collection is paused, else null.</summary>
    public string? PauseBehavior { get; set; }

    /// <summary>`pause_collection[resumes_at]`: when collection resumes by itself (null: only when cleared).</summary>
    public long? PauseResumesAt { get; set; }

    public bool IsLive => Status is not ("canceled" or "incomplete_expired");
}
