using Billing.Application.Subscriptions;
using Billing.Domain.Subscriptions;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// <see cref="IStripeSubscriptionSource"/> as the app registers it, against the emulator: the answers the account's
/// subscription is ended on (no such subscription) and those it is not (a subscription Stripe canceled is still read).
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
}
