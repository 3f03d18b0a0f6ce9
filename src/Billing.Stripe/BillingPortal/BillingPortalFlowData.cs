namespace Billing.Stripe.BillingPortal;

/// <summary><c>flow_data</c>: see <see cref="BillingPortalFlowTypes"/> for <see cref="Type"/>.</summary>
public sealed record BillingPortalFlowData
{
    public required string Type { get; init; }

    public BillingPortalFlowAfterCompletion? AfterCompletion { get; init; }

    public BillingPortalSubscriptionFlow? SubscriptionCancel { get; init; }

    public BillingPortalSubscriptionFlow? SubscriptionUpdate { get; init; }

    public BillingPortalSubscriptionUpdateConfirm? SubscriptionUpdateConfirm { get; init; }
}

/// <summary>Values of <c>flow_data[type]</c>.</summary>
public static class BillingPortalFlowTypes
{
    public const string PaymentMethodUpdate = "payment_method_update";
    public const string SubscriptionCancel = "subscription_cancel";
    public const string SubscriptionUpdate = "subscription_update";
    public const string SubscriptionUpdateConfirm = "subscription_update_confirm";
}

/// <summary><c>flow_data[after_completion]</c>: type hosted_confirmation, portal_homepage or redirect.</summary>
public sealed record BillingPortalFlowAfterCompletion
{
    public required string Type { get; init; }

    public BillingPortalRedirect? Redirect { get; init; }

    public BillingPortalHostedConfirmation? HostedConfirmation { get; init; }
}

/// <summary><c>after_completion[redirect]</c>.</summary>
public sealed record BillingPortalRedirect
{
    public required string ReturnUrl { get; init; }
}

/// <summary><c>after_completion[hosted_confirmation]</c>.</summary>
public sealed record BillingPortalHostedConfirmation
{
    public string? CustomMessage { get; init; }
}

/// <summary><c>flow_data[subscription_cancel]</c> or <c>flow_data[subscription_update]</c>.</summary>
public sealed record BillingPortalSubscriptionFlow
{
    public required string Subscription { get; init; }
}

/// <summary><c>flow_data[subscription_update_confirm]</c>: the change the customer is asked to confirm.</summary>
public sealed record BillingPortalSubscriptionUpdateConfirm
{
    public required string Subscription { get; init; }

    public required IReadOnlyList<BillingPortalSubscriptionUpdateItem> Items { get; init; }
}

/// <summary>One item of a subscription_update_confirm flow.</summary>
public sealed record BillingPortalSubscriptionUpdateItem
{
    /// <summary>The subscription item id (<c>si_...</c>).</summary>
    public required string Id { get; init; }

    public string? Price { get; init; }

    public long? Quantity { get; init; }
}
