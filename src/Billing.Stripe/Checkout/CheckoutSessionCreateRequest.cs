namespace Billing.Stripe.Checkout;

/// <summary><c>POST /v1/checkout/sessions</c> in <c>subscription</c> or <c>payment</c> mode.</summary>
public sealed record CheckoutSessionCreateRequest
{
    /// <summary>See <see cref="CheckoutSessionModes"/>.</summary>
    public required string Mode { get; init; }

    public IReadOnlyList<CheckoutLineItemRequest>? LineItems { get; init; }

    /// <summary>An existing customer id; otherwise Checkout creates one (subscription mode) or uses <see cref="CustomerEmail"/>.</summary>
    public string? Customer { get; init; }

    public string? CustomerEmail { get; init; }

    /// <summary>Your own reference (max 200 characters), returned on the session and its events.</summary>
    public string? ClientReferenceId { get; init; }

    /// <summary>Hosted mode only. May contain <c>{CHECKOUT_SESSION_ID}</c>.</summary>
    public string? SuccessUrl { get; init; }

    /// <summary>Hosted mode only.</summary>
    public string? CancelUrl { get; init; }

    /// <summary>Embedded modes only.</summary>
    public string? ReturnUrl { get; init; }

    /// <summary>See <see cref="CheckoutUiModes"/>; Stripe's default is hosted_page.</summary>
    public string? UiMode { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    public CheckoutSubscriptionData? SubscriptionData { get; init; }

    /// <summary>Payment mode only.</summary>
    public CheckoutPaymentIntentData? PaymentIntentData { get; init; }

    public bool? AllowPromotionCodes { get; init; }

    /// <summary>always or if_required (subscription mode).</summary>
    public string? PaymentMethodCollection { get; init; }

    public DateTimeOffset? ExpiresAt { get; init; }

    public string? Locale { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
