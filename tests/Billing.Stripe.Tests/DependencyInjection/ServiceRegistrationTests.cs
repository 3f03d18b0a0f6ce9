using System.Net;
using Billing.Stripe.DependencyInjection;
using Billing.Stripe.Tests.Http;
using Billing.Stripe.Tests.Support;
using Billing.Stripe.Webhooks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Billing.Stripe.Tests.DependencyInjection;

public sealed class ServiceRegistrationTests
{
    [Fact]
    public async Task AddStripeClient_gives_a_typed_client_over_the_http_client_factory()
    {
        var handler = new StubHttpMessageHandler().Respond(HttpStatusCode.OK, StripeJsonBodies.Customer);
        var services = new ServiceCollection();
        services.AddStripeClient(o =>
            {
                o.SecretKey = "sk_test_di";
                o.ApiBase = new Uri("http://127.0.0.1:12111");
            })
            .ConfigurePrimaryHttpMessageHandler(() => handler);
        using var provider = services.BuildServiceProvider(validateScopes: true);

        var client = provider.GetRequiredService<IStripeClient>();
        var customer = await client.Customers.GetAsync("cus_123");

        Assert.Equal("cus_123", customer.Id);
        Assert.Equal("http://127.0.0.1:12111/v1/customers/cus_123", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal("Bearer sk_test_di", handler.Requests[0].Header("Authorization"));
        Assert.IsType<StripeClient>(provider.GetRequiredService<StripeClient>());
    }

    [Fact]
    public void AddStripeClient_validates_options_with_clear_messages()
    {
        var services = new ServiceCollection();
        services.AddStripeClient(o => o.SecretKey = "sk_test with space");
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<StripeClientOptions>>().Value);

        Assert.Contains(error.Failures, f => f.Contains("whitespace", StringComparison.Ordinal));
    }

    [Fact]
    public void AddStripeWebhookVerifier_registers_a_singleton_using_the_registered_clock()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(new ManualTimeProvider(now));
        services.AddStripeWebhookVerifier(o => o.Secrets.Add("whsec_di"));
        using var provider = services.BuildServiceProvider();

        var verifier = provider.GetRequiredService<StripeWebhookVerifier>();
        var payload = "{}"u8.ToArray();

        Assert.Same(verifier, provider.GetRequiredService<StripeWebhookVerifier>());
        Assert.True(verifier.Verify(payload, StripeSignature.ComputeHeader(now, payload, "whsec_di")).IsValid);
        Assert.False(verifier.Verify(payload, StripeSignature.ComputeHeader(now.AddMinutes(-10), payload, "whsec_di")).IsValid);
    }

    [Fact]
    public void AddStripeWebhookVerifier_without_a_secret_fails_validation()
    {
        var services = new ServiceCollection();
        services.AddStripeWebhookVerifier(_ => { });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<StripeWebhookVerifier>());

        Assert.Contains(error.Failures, f => f.Contains("Secrets", StringComparison.Ordinal));
    }
}
