using System.Text.Json.Serialization;
using Billing.Stripe.Serialization;

namespace Billing.Stripe.Common;

/// <summary>An expandable reference: Stripe sends either the id string or, when expanded, the whole object.</summary>
[JsonConverter(typeof(StripeExpandableConverterFactory))]
public sealed record StripeExpandable<T>
    where T : class, IStripeEntity
{
    public required string Id { get; init; }

    /// <summary>The object when the field was expanded (<c>expand[]</c>); null when Stripe sent only the id.</summary>
    public T? Expanded { get; init; }

    public bool IsExpanded => Expanded is not null;
}
