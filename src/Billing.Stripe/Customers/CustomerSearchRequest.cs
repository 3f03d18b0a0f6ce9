namespace Billing.Stripe.Customers;

/// <summary><c>GET /v1/customers/search</c>, e.g. <c>Query = "metadata['tenant_id']:'t_1'"</c>.</summary>
public sealed record CustomerSearchRequest
{
    public required string Query { get; init; }

    /// <summary>1..100, Stripe's default is 10.</summary>
    public int? Limit { get; init; }

    /// <summary>The <c>next_page</c> cursor of the previous result.</summary>
    public string? Page { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
