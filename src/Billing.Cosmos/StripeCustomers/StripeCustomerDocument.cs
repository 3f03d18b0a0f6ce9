using Billing.Cosmos.Documents;

namespace Billing.Cosmos.StripeCustomers;

/// <summary>Stripe customer -> account (<c>type</c> = stripeCustomer), id = partition key = Stripe customer id. Never changes.</summary>
internal sealed record StripeCustomerDocument : StoredDocument
{
    public required string AccountId { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }
}
