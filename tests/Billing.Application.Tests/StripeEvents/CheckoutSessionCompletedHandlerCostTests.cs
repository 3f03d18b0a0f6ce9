using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>
/// What a completed Checkout reads of the account before what it sold is applied, counted as the Cosmos store's point
/// reads (<see cref="Fakes.InMemoryBillingAccountStore.Reads"/>), and the sessions it ignores without touching an account.
/// </summary>
public sealed class CheckoutSessionCompletedHandlerCostTests
{
    private readonly WebhookWorld _world = new();

    [Fact]
    public async Task An_account_already_linked_to_the_sessions_customer_is_read_once_and_not_written()
    {
        // The common case: Checkout ensured the customer and linked it to the account before the session was created.
        var account = await AccountAsync("user-linked", "cus_linked", linkedOnAccount: true);
        var (reads, writes) = (_world.Accounts.Reads, _world.Accounts.Writes);

        await Handler().HandleAsync(Completed("cus_linked"), CancellationToken.None);

        Assert.Equal((1, 0), (_world.Accounts.Reads - reads, _world.Accounts.Writes - writes));
        Assert.Equal("cus_linked", (await _world.Accounts.GetAsync(account, CancellationToken.None))!.StripeCustomerId);
    }

    [Fact]
    public async Task An_account_not_linked_yet_gets_the_sessions_customer()
    {
        var account = await AccountAsync("user-unlinked", "cus_new", linkedOnAccount: false);
        var writes = _world.Accounts.Writes;

        await Handler().HandleAsync(Completed("cus_new"), CancellationToken.None);

        Assert.Equal(1, _world.Accounts.Writes - writes);
        Assert.Equal("cus_new", (await _world.Accounts.GetAsync(account, CancellationToken.None))!.StripeCustomerId);
    }

    [Theory]
    [InlineData("setup")] // a session that saves a payment method sells nothing
    [InlineData(null)]
    public async Task A_session_of_another_mode_is_ignored_without_reading_or_creating_an_account(string? mode)
    {
        var account = await AccountAsync("user-setup", "cus_setup", linkedOnAccount: true);
        var (reads, writes) = (_world.Accounts.Reads, _world.Accounts.Writes);

        var result = await Handler().HandleAsync(Completed("cus_setup") with { CheckoutMode = mode }, CancellationToken.None);

        Assert.Equal((false, (AccountId?)null), (result.IsApplied, result.AccountId));
        Assert.Equal($"Checkout Session mode '{mode}' needs no action.", result.Note);
        Assert.Equal((0, 0), (_world.Accounts.Reads - reads, _world.Accounts.Writes - writes));
        Assert.NotNull(await _world.Accounts.GetAsync(account, CancellationToken.None));
    }

    [Fact]
    public async Task A_session_whose_customer_is_linked_to_no_account_and_that_names_none_is_ignored_and_creates_no_account()
    {
        var writes = _world.Accounts.Writes;

        var result = await Handler().HandleAsync(Completed("cus_stranger"), CancellationToken.None);

        Assert.Equal((false, (AccountId?)null), (result.IsApplied, result.AccountId));
        Assert.Equal("Stripe customer cus_stranger is not linked to a billing account and the event names none.", result.Note);
        Assert.Equal(0, _world.Accounts.Writes - writes);
    }

    [Fact]
    public async Task A_subscription_mode_session_without_a_subscription_is_ignored_for_its_account()
    {
        var account = await AccountAsync("user-nosub", "cus_nosub", linkedOnAccount: true);

        var result = await Handler().HandleAsync(Completed("cus_nosub") with { CheckoutMode = CheckoutSessionCompletedHandler.SubscriptionMode }, CancellationToken.None);

        Assert.Equal((false, (AccountId?)account, "Subscription-mode Checkout Session without a subscription."), (result.IsApplied, result.AccountId, result.Note));
        Assert.Null((await _world.Accounts.GetAsync(account, CancellationToken.None))!.Subscription);
    }

    private async Task<AccountId> AccountAsync(string id, string customerId, bool linkedOnAccount)
    {
        var account = AccountId.Parse(id);
        await _world.Accounts.GetOrCreateAsync(account, CancellationToken.None);
        if (linkedOnAccount)
        {
            await _world.Accounts.UpdateAsync(account, a => a.AssignStripeCustomer(customerId).Account, CancellationToken.None);
        }

        await _world.Links.LinkAsync(customerId, account, CancellationToken.None);
        return account;
    }

    /// <summary>A payment-mode session this build has no purchase handler for: only the account's part runs.</summary>
    private CheckoutSessionCompletedHandler Handler() =>
        new(new StripeEventAccountResolver(_world.Links, NullLogger<StripeEventAccountResolver>.Instance), _world.Accounts, _world.Sync, []);

    private StripeEventPayload Completed(string customerId) => new()
    {
        Id = "evt_" + Guid.NewGuid().ToString("N")[..10],
        Type = "checkout.session.completed",
        Created = _world.Time.GetUtcNow(),
        ObjectType = "checkout.session",
        ObjectId = "cs_" + Guid.NewGuid().ToString("N")[..10], // a real session's id: a pack's is never cleared as an open Checkout
        CheckoutMode = CheckoutSessionCompletedHandler.PaymentMode,
        CustomerId = customerId,
    };
}
