using Billing.Application.Subscriptions;
using Billing.Domain.Subscriptions;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// <see cref="IStripeSubscriptionSource"/> as the app registers it, against the emulator: the answers the account's
/// subscription is ended on (no such subscription, its customer still answered, deleted or not) and those it is not (a
/// subscription Stripe canceled is still read; a customer id Stripe never had, as a key of another account answers).
/// </summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeSubscriptionSourceEmulatorTests(StripeEmulatorFixture fixture)
{
    private IStripeSubscriptionSource Source => fixture.Services.GetRequiredService<IStripeSubscriptionSource>();

    [Fact]
    public async Task A_subscription_deleted_in_Stripe_is_still_read_as_canceled_and_only_an_id_Stripe_does_not_have_is_null()
    {
        var (customer, subscription) = await fixture.SubscribeAsync("acct-source-deleted");
        await fixture.Stripe.V1.Subscriptions.CancelAsync(subscription); // customer.subscription.deleted

        var deleted = await Source.GetSubscriptionAsync(subscription, CancellationToken.None);
        var unknown = await Source.GetSubscriptionAsync("sub_not_in_this_stripe_account", CancellationToken.None); // test data wiped, another account

        Assert.NotNull(deleted);
        Assert.Equal((subscription, customer, SubscriptionStatus.Canceled), (deleted.SubscriptionId, deleted.CustomerId, deleted.Status));
        Assert.NotNull(deleted.EndedAt);
        Assert.Null(unknown);
    }

    [Fact]
    public async Task A_customer_is_read_a_customer_deleted_in_Stripe_reads_as_deleted_and_only_an_id_Stripe_never_had_is_null()
    {
        var customer = await fixture.CustomerAsync("acct-source-customer");
        var gone = await fixture.CustomerAsync("acct-source-customer-deleted");
        await fixture.Stripe.V1.Customers.DeleteAsync(gone); // customer.deleted: Stripe still answers it, deleted: true

        var live = await Source.GetCustomerAsync(customer, CancellationToken.None);
        var deleted = await Source.GetCustomerAsync(gone, CancellationToken.None);
        var unknown = await Source.GetCustomerAsync("cus_not_in_this_stripe_account", CancellationToken.None); // another account or mode

        Assert.Equal(new StripeCustomerSnapshot(customer, Deleted: false), live);
        Assert.Equal(new StripeCustomerSnapshot(gone, Deleted: true), deleted);
        Assert.Null(unknown);
    }
}
