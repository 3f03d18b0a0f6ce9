using Billing.Stripe.Common;

namespace Billing.Stripe.Events;

/// <summary><c>GET /v1/events</c> (only the last 30 days are listable).</summary>
public sealed record EventListRequest
{
    /// <summary>One type, wildcards allowed (e.g. <c>invoice.*</c>). Not together with <see cref="Types"/>.</summary>
    public string? Type { get; init; }

    /// <summary>Up to 20 exact types.</summary>
    public IReadOnlyList<string>? Types { get; init; }

    public StripeDateRange? Created { get; init; }

    /// <summary>Only events whose webhook delivery succeeded (true) or failed (false).</summary>
    public bool? DeliverySuccess { get; init; }

    /// <summary>1..100, Stripe's default is 10.</summary>
    public int? Limit { get; init; }

    public string? StartingAfter { get; init; }
}
