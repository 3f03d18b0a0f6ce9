using Billing.Application.Payments;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Stripe;

namespace Billing.Infrastructure.Tests.StripeApi;

/// <summary>
/// <see cref="IStripeBillingGateway"/> as the app registers it, against the emulator, where Stripe refuses a request the
/// product can send in some state (a duplicate subscription's payment charged back before it was refunded).
/// </summary>
[Collection(SharedStripeEmulator.Name)]
public sealed class StripeBillingGatewayEmulatorTests(StripeEmulatorFixture fixture)
{
    private IStripeBillingGateway Gateway => fixture.Services.GetRequiredService<IStripeBillingGateway>();

    [Fact]
    public async Task A_duplicate_whose_payment_was_charged_back_is_not_refunded_again_and_can_then_be_canceled()
    {
        var (_, subscriptionId) = await fixture.SubscribeAsync("acct-gateway-charged-back");
        var subscription = await fixture.Stripe.V1.Subscriptions.GetAsync(subscriptionId);
        var invoice = await fixture.Stripe.V1.Invoices.GetAsync(subscription.LatestInvoiceId, new InvoiceGetOptions { Expand = ["payments"] });
        var intent = await fixture.Stripe.V1.PaymentIntents.GetAsync(Assert.Single(invoice.Payments.Data).Payment.PaymentIntentId);
        await fixture.Emulator.ControlAsync($"/_emulator/charges/{intent.LatestChargeId}/dispute"); // "I was charged twice": the bank takes it back

        // Stripe refuses the refund (400 charge_disputed); the duplicate must still be canceled, or it bills every month.
        var refunded = await Gateway.RefundLatestInvoicePaymentAsync(subscriptionId, "duplicate-refund:" + subscriptionId, CancellationToken.None);
        await Gateway.CancelSubscriptionAsync(subscriptionId, "duplicate-cancel:" + subscriptionId, CancellationToken.None);

        Assert.NotNull(refunded);
        Assert.Equal((0L, "usd"), (refunded.Value.MinorUnits, refunded.Value.Currency.Code));
        Assert.Empty((await fixture.Stripe.V1.Refunds.ListAsync(new RefundListOptions { Charge = intent.LatestChargeId })).Data);
        Assert.Equal("canceled", (await fixture.Stripe.V1.Subscriptions.GetAsync(subscriptionId)).Status);
    }
}
