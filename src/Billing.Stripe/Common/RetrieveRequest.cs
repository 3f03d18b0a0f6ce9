namespace Billing.Stripe.Common;

/// <summary>Parameters of a retrieve (GET by id): which fields to expand.</summary>
public sealed record RetrieveRequest
{
    public IReadOnlyList<string>? Expand { get; init; }

    public static RetrieveRequest Expanding(params string[] fields) => new() { Expand = fields };
}
