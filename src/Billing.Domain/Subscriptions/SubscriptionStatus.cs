namespace Billing.Domain.Subscriptions;

/// <summary>
/// A Stripe subscription status, kept as the string Stripe sent so a status added by Stripe later is preserved
/// (and treated as granting nothing until this code learns it).
/// </summary>
public readonly record struct SubscriptionStatus
{
    public static readonly SubscriptionStatus Trialing = new("trialing");
    public static readonly SubscriptionStatus Active = new("active");
    public static readonly SubscriptionStatus PastDue = new("past_due");
    public static readonly SubscriptionStatus Unpaid = new("unpaid");
    public static readonly SubscriptionStatus Canceled = new("canceled");
    public static readonly SubscriptionStatus Incomplete = new("incomplete");
    public static readonly SubscriptionStatus IncompleteExpired = new("incomplete_expired");
    public static readonly SubscriptionStatus Paused = new("paused");

    private readonly string? _value;

    private SubscriptionStatus(string value) => _value = value;

    public string Value => _value ?? throw new InvalidOperationException("A SubscriptionStatus was used without being created (default value).");

    /// <summary>One of the statuses listed here (Stripe may add more).</summary>
    public bool IsKnown =>
        this == Trialing || this == Active || this == PastDue || this == Unpaid ||
        this == Canceled || this == Incomplete || this == IncompleteExpired || this == Paused;

    /// <summary><c>active</c> or <c>trialing</c>: the plan applies.</summary>
    public bool IsInGoodStanding => this == Active || this == Trialing;

    /// <summary><c>past_due</c> or <c>unpaid</c>: payment failed; the plan applies only during the grace period.</summary>
    public bool IsDelinquent => this == PastDue || this == Unpaid;

    /// <summary><c>canceled</c> or <c>incomplete_expired</c>: the subscription is over and cannot come back.</summary>
    public bool IsTerminal => this == Canceled || this == IncompleteExpired;

    /// <summary>From Stripe's <c>status</c> field.</summary>
    public static SubscriptionStatus From(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        return new SubscriptionStatus(value);
    }

    public override string ToString() => _value ?? string.Empty;
}
