using Billing.Cosmos.Documents;

namespace Billing.Cosmos.Admin;

/// <summary>
/// An account's entry in the operators' account index (<c>type</c> = accountSummary), id
/// <c>account-summary:{accountId}</c> in the index partition <c>/admin/accounts</c> of the accounts container.
/// </summary>
internal sealed record AccountSummaryDocument : StoredDocument
{
    /// <summary>The partition key: the index partition, not an account.</summary>
    public required string AccountId { get; init; }

    public required string BillingAccountId { get; init; }

    public required string Plan { get; init; }

    public required string Status { get; init; }

    public string? StripeCustomerId { get; init; }

    /// <summary>What <c>q</c> searches: the account id and the Stripe customer id in lower case, one per line.</summary>
    public required string Search { get; init; }

    public required long AccountVersion { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
