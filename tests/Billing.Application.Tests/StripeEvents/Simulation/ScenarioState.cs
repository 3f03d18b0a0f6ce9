using Billing.Application.Tests.Fakes;

namespace Billing.Application.Tests.StripeEvents.Simulation;

/// <summary>What a scenario's steps share: the account, its Stripe customer and its subscriptions so far.</summary>
internal sealed class ScenarioState(string accountId, bool metadataOnSubscription)
{
    public string AccountId { get; } = accountId;

    /// <summary>Whether checkout copies <c>account_id</c> into the subscription's metadata (the frontend sets it; older sessions may not).</summary>
    public bool MetadataOnSubscription { get; } = metadataOnSubscription;

    public string CustomerId { get; set; } = "";

    public List<FakeStripeSubscription> Subscriptions { get; } = [];

    public FakeStripeSubscription Current => Subscriptions[^1];
}
