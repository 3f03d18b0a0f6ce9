namespace Billing.Stripe.Customers;

/// <summary><c>POST /v1/customers</c>. No field is required by Stripe.</summary>
public sealed record CustomerCreateRequest
{
    public string? Email { get; init; }

    public string? Name { get; init; }

    public string? Description { get; init; }

    public string? Phone { get; init; }

    public IReadOnlyDictionary<string, string>? Metadata { get; init; }

    /// <summary>Test mode only: attach the customer to a test clock.</summary>
    public string? TestClock { get; init; }

    public IReadOnlyList<string>? Expand { get; init; }
}
