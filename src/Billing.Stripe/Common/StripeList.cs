using System.Text.Json.Serialization;

namespace Billing.Stripe.Common;

/// <summary>One page of a Stripe list (<c>object: "list"</c>). Page on with <c>starting_after</c> = last item's id.</summary>
public sealed record StripeList<T>
{
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public IReadOnlyList<T> Data { get; init; } = [];

    public bool HasMore { get; init; }

    public string? Url { get; init; }
}
