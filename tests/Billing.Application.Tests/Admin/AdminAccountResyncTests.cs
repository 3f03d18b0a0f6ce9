using Billing.Application.Admin;
using Billing.Application.Outcomes;
using Billing.Application.Subscriptions;
using Billing.Application.Tests.StripeEvents;
using Billing.Domain.Accounts;
using Billing.TestSupport;

namespace Billing.Application.Tests.Admin;

/// <summary>The operator's re-sync answers through the one result idiom: its refusals are refusals, its success carries the entitlement now.</summary>
public sealed class AdminAccountResyncTests
{
    private readonly WebhookWorld _world = new();

    private AdminAccountResync Resync => new(_world.Resync, _world.Entitlements, _world.Time);

    [Fact]
    public async Task A_missing_account_an_account_without_customer_and_a_customer_linked_elsewhere_are_refusals()
    {
        await _world.Accounts.GetOrCreateAsync(AccountId.Parse("fresh"), CancellationToken.None);
        var customer = _world.Stripe.CreateCustomer("user-11");
        await _world.Links.LinkAsync(customer, AccountId.Parse("someone-else"), CancellationToken.None);
        await _world.Accounts.GetOrCreateAsync(AccountId.Parse("user-11"), CancellationToken.None);

        var missing = await Resync.ResyncAsync(AccountId.Parse("nobody"), CancellationToken.None);
        var fresh = await Resync.ResyncAsync(AccountId.Parse("fresh"), CancellationToken.None);
        var linked = await Resync.ResyncAsync(AccountId.Parse("user-11"), CancellationToken.None);

        Assert.Equal((RefusalReason.AccountNotFound, "Billing account 'nobody' does not exist."), Refusal(missing));
        Assert.Equal((RefusalReason.NoStripeCustomer, "Account 'fresh' has no Stripe customer and no customer's account_id metadata names it: nothing to sync."), Refusal(fresh));
        Assert.Equal((RefusalReason.CustomerLinkedToOtherAccount, $"Stripe customer {customer} is linked to another account; nothing was changed."), Refusal(linked));
    }

    [Fact]
    public async Task A_synced_account_is_answered_with_what_was_applied_and_its_entitlement_now()
    {
        var accountId = AccountId.Parse("user-9");
        await _world.Accounts.GetOrCreateAsync(accountId, CancellationToken.None);
        var customer = _world.Stripe.CreateCustomer("user-9");
        var subscription = _world.Stripe.CompleteCheckout("user-9", customer, TestCatalog.ProMonthly); // no event delivered

        var resynced = Assert.IsType<Succeeded<ResyncedAccount>>(await Resync.ResyncAsync(accountId, CancellationToken.None)).Value;

        Assert.Equal(AccountResyncOutcome.Synced, resynced.Result.Outcome);
        Assert.Equal((customer, subscription.Id), (resynced.Result.CustomerId, resynced.Account.Subscription!.SubscriptionId));
        Assert.Equal("PRO", resynced.Entitlement.Plan.Code.Value);
    }

    private static (RefusalReason Reason, string Detail) Refusal(Outcome<ResyncedAccount> outcome) =>
        Assert.IsType<Refused<ResyncedAccount>>(outcome).Refusal is var refusal ? (refusal.Reason, refusal.Detail) : default;
}
