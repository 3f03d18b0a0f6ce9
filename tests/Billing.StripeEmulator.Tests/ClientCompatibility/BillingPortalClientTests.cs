using Billing.Stripe;
using Billing.Stripe.BillingPortal;
using Billing.Stripe.Common;
using Billing.StripeEmulator.Tests.ClientCompatibility.Support;

namespace Billing.StripeEmulator.Tests.ClientCompatibility;

[Collection(SharedEmulator.Name)]
public sealed class BillingPortalClientTests(ClientEmulatorFixture fixture) : IAsyncLifetime
{
    private IStripeClient Stripe => fixture.Client;

    public Task InitializeAsync() => fixture.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task A_portal_session_comes_back_with_the_url_to_send_the_customer_to()
    {
        var checkout = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator);

        var portal = await Stripe.BillingPortalSessions.CreateAsync(new BillingPortalSessionCreateRequest
        {
            Customer = checkout.Customer!.Id,
            ReturnUrl = "https://app.example.com/billing",
            Locale = "de",
        });

        Assert.StartsWith("bps_", portal.Id);
        Assert.Equal(StripeObjectTypes.BillingPortalSession, portal.ObjectType);
        Assert.Equal(checkout.Customer.Id, portal.Customer);
        Assert.Equal("https://app.example.com/billing", portal.ReturnUrl);
        Assert.Equal("de", portal.Locale);
        Assert.StartsWith("bpc_", portal.Configuration);
        Assert.Equal(new Uri(fixture.Emulator.ApiBase, $"billing_portal/{portal.Id}").ToString(), portal.Url);
        Assert.False(portal.Livemode);
    }

    [Fact]
    public async Task A_deep_link_into_the_cancel_flow_is_accepted()
    {
        var checkout = await Subscribe.ThroughCheckoutAsync(Stripe, fixture.Emulator);

        var portal = await Stripe.BillingPortalSessions.CreateAsync(new BillingPortalSessionCreateRequest
        {
            Customer = checkout.Customer!.Id,
            ReturnUrl = "https://app.example.com/billing",
            FlowData = new()
            {
                Type = BillingPortalFlowTypes.SubscriptionCancel,
                SubscriptionCancel = new() { Subscription = checkout.Subscription!.Id },
                AfterCompletion = new() { Type = "redirect", Redirect = new() { ReturnUrl = "https://app.example.com/billing?canceled=1" } },
            },
        });

        Assert.NotNull(portal.Url);
        Assert.Equal(checkout.Customer.Id, portal.Customer);
    }
}
