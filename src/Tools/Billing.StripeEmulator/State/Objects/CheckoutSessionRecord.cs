namespace Billing.StripeEmulator.State.Objects;

internal sealed class CheckoutSessionRecord : StoredObject
{
    /// <summary>payment or subscription.</summary>
    public required string Mode { get; init; }

    /// <summary>open, complete or expired.</summary>
    public string Status { get; set; } = "open";

    /// <summary>unpaid, paid or no_payment_required.</summary>
    public string PaymentStatus { get; set; } = "unpaid";

    public required List<CheckoutLineItem> LineItems { get; init; }

    public required string Currency { get; init; }

    public string? CustomerId { get; set; }

    public string? CustomerEmail { get; init; }

    /// <summary>Email entered on the payment page (customer_details.email).</summary>
    public string? CompletedEmail { get; set; }

    public string? CompletedName { get; set; }

    public string? CustomerCreation { get; init; }

    public string? ClientReferenceId { get; init; }

    public string? SuccessUrl { get; init; }

    public string? CancelUrl { get; init; }

    public required string UiMode { get; init; }

    public bool? AllowPromotionCodes { get; init; }

    public required long ExpiresAt { get; init; }

    public long? TrialPeriodDays { get; init; }

    /// <summary>`subscription_data[trial_end]` as given: the trial ends at that second (its days, rounded up, are only shown).</summary>
    public long? TrialEnd { get; init; }

    public Dictionary<string, string> SubscriptionMetadata { get; } = new(StringComparer.Ordinal);

    public string? SubscriptionDescription { get; init; }

    public string? SubscriptionId { get; set; }

    public string? InvoiceId { get; set; }

    public string? PaymentIntentId { get; set; }

    /// <summary>`allowed_payment_method_types[]` (or the older `payment_method_types[]`) as sent; null: Stripe's dynamic choice.</summary>
    public List<string>? AllowedPaymentMethodTypes { get; init; }

    public List<string>? ExcludedPaymentMethodTypes { get; init; }

    /// <summary>`payment_intent_data[metadata]`: copied to the PaymentIntent (and its charge) made on completion.</summary>
    public Dictionary<string, string> PaymentIntentMetadata { get; } = new(StringComparer.Ordinal);

    public string? PaymentIntentDescription { get; init; }

    public string? RedirectOnCompletion { get; init; }

    public string? ReturnUrl { get; init; }

    /// <summary>The hosted payment page; null for the embedded UI modes.</summary>
    public string? Url { get; init; }
}
