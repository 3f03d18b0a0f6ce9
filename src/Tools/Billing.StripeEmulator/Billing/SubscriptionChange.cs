using Billing.StripeEmulator.Wire;

namespace Billing.StripeEmulator.Billing;

/// <summary>A requested subscription update, already parsed (`POST /v1/subscriptions/{id}` or a portal action).</summary>
internal sealed record SubscriptionChange
{
    public IReadOnlyList<ItemChange> Items { get; init; } = [];

    /// <summary>always_invoice, create_prorations (default) or none.</summary>
    public string ProrationBehavior { get; init; } = "create_prorations";

    public bool? CancelAtPeriodEnd { get; init; }

    public string? CancellationFeedback { get; init; }

    public string? CancellationComment { get; init; }

    public MetadataUpdate? Metadata { get; init; }

    public string? Description { get; init; }

    /// <summary>`trial_end`: a unix time, or the current time for "now".</summary>
    public long? TrialEnd { get; init; }

    /// <summary>`billing_cycle_anchor=now`: the anchor moves to now and a new period starts, invoiced at once (`unchanged`: false).</summary>
    public bool ResetBillingCycleAnchor { get; init; }

    public string? DefaultPaymentMethod { get; init; }

    /// <summary>`collection_method`: charge_automatically or send_invoice (with <see cref="DaysUntilDue"/>).</summary>
    public string? CollectionMethod { get; init; }

    public long? DaysUntilDue { get; init; }

    /// <summary>`pause_collection[...]`: pause (or change the pause), or clear it (`pause_collection=`).</summary>
    public PauseCollectionChange? PauseCollection { get; init; }
}

/// <summary>`pause_collection[behavior|resumes_at]`; a null <see cref="Behavior"/> clears the pause.</summary>
internal sealed record PauseCollectionChange(string? Behavior, long? ResumesAt);

/// <summary>One `items[i]` entry: an existing item (by id) changed or deleted, or a new price added.</summary>
internal sealed record ItemChange(string Param, string? Id, string? PriceId, long? Quantity, bool Deleted, MetadataUpdate? Metadata);
