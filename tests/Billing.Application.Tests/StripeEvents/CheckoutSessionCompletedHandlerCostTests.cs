using Billing.Application.StripeEvents;
using Billing.Application.StripeEvents.Handling;
using Billing.Domain.Accounts;
using Microsoft.Extensions.Logging.Abstractions;

namespace Billing.Application.Tests.StripeEvents;

/// <summary>
/// What a completed Checkout reads of the account before what it sold is applied, counted as the Cosmos store's point
/// reads (<see cref="Fakes.InMemoryBillingAccountStore.Reads"/>).
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
        CheckoutMode = CheckoutSessionCompletedHandler.PaymentMode,
        CustomerId = customerId,
    };
}
