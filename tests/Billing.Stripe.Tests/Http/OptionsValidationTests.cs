using Billing.Stripe.Tests.Support;

namespace Billing.Stripe.Tests.Http;

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("")]
    [InlineData("sk_test 123")]
    [InlineData("sk_test_123\n")]
    [InlineData(" sk_test_123")]
    [InlineData("sk_test_\t123")]
    public void Empty_or_whitespace_keys_are_rejected_before_anything_is_sent(string key)
    {
        var handler = new StubHttpMessageHandler();

        var error = Assert.Throws<ArgumentException>(() => TestStripe.Client(handler, configure: o => o.SecretKey = key));

        Assert.Contains("SecretKey", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(key.Trim() is { Length: > 0 } k ? k : "\u0001", error.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public void Defaults_follow_stripes_libraries()
    {
        var options = new StripeClientOptions();

        Assert.Equal(new Uri("https://api.stripe.com"), options.ApiBase);
        Assert.Equal(2, options.MaxNetworkRetries);
        Assert.Equal(TimeSpan.FromSeconds(80), options.Timeout);
    }

    [Fact]
    public void Every_invalid_setting_is_reported()
    {
        var options = new StripeClientOptions { SecretKey = "", ApiBase = new Uri("/relative", UriKind.Relative), MaxNetworkRetries = -1, Timeout = TimeSpan.Zero };

        var errors = options.Validate();

        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("SecretKey", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ApiBase", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("MaxNetworkRetries", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Timeout", StringComparison.Ordinal));
    }

    [Fact]
    public void ToString_never_shows_the_secret_key()
    {
        var options = new StripeClientOptions { SecretKey = "sk_live_supersecret" };

        Assert.DoesNotContain("supersecret", options.ToString(), StringComparison.Ordinal);
    }
}
