namespace Billing.Stripe.Common;

/// <summary>A range filter on a timestamp for list requests (<c>created[gte]=...</c>); unset bounds are not sent.</summary>
public sealed record StripeDateRange
{
    public DateTimeOffset? Gt { get; init; }

    public DateTimeOffset? Gte { get; init; }

    public DateTimeOffset? Lt { get; init; }

    public DateTimeOffset? Lte { get; init; }
}
