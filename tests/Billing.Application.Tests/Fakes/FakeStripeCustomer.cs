namespace Billing.Application.Tests.Fakes;

internal sealed class FakeStripeCustomer
{
    public required string Id { get; init; }

    /// <summary>The <c>account_id</c> metadata, when set.</summary>
    public string? AccountId { get; init; }

    public bool Deleted { get; set; }
}
