using System.Text.Json.Serialization;

namespace Billing.Stripe.Common;

/// <summary>One page of a Stripe search (<c>object: "search_result"</c>). Page on with <c>page</c> = <see cref="NextPage"/>.</summary>
public sealed record StripeSearchResult<T>
{
    [JsonPropertyName("object")]
    public string? ObjectType { get; init; }

    public IReadOnlyList<T> Data { get; init; } = [];

    public bool HasMore { get; init; }

    public string? NextPage { get; init; }

    public long? TotalCount { get; init; }

    public string? Url { get; init; }
}
