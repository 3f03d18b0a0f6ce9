using Billing.Application.Checkout;
using Billing.Application.Outcomes;
using Billing.Application.Portal;
using Billing.Application.Redirects;
using Microsoft.Extensions.Options;

namespace Billing.Application.Tests.Redirects;

public sealed class RedirectUrlPolicyTests
{
    private readonly RedirectUrlPolicy _policy = new(Options.Create(new RedirectOptions
    {
        AllowedOrigins = { "https://app.example.com", "http://localhost:3000/", "https://bücher.example" },
    }));

    [Theory]
    [InlineData("https://app.example.com/billing")]
    [InlineData("https://app.example.com")]
    [InlineData("https://APP.Example.com/x?y=1#z")]
    [InlineData("https://app.example.com:443/billing")]
    [InlineData("https://app.example.com/done?session_id={CHECKOUT_SESSION_ID}")]
    [InlineData("http://localhost:3000/billing")]
    [InlineData("https://xn--bcher-kva.example/konto")]
    [InlineData("https://bücher.example/konto")]
    public void Urls_on_an_allowed_origin_are_accepted(string url) => Assert.Null(_policy.Problem(url));

    [Theory]
    [InlineData("https://evil.example.com/")]
    [InlineData("http://app.example.com/")] // http is another origin
    [InlineData("https://app.example.com:444/")]
    [InlineData("http://localhost:3001/")]
    [InlineData("https://app.example.com.evil.com/")]
    [InlineData("https://evil.com/?next=https://app.example.com/")]
    [InlineData("https://app.example.com@evil.com/")]
    [InlineData("https://user:pw@app.example.com/")]
    [InlineData("https://app.example.com\\@evil.com/")]
    [InlineData("https://app.example.com/ path")]
    [InlineData("https://app.example.com/\tx")]
    [InlineData("//app.example.com/")]
    [InlineData("/billing")]
    [InlineData("app.example.com/billing")]
    [InlineData("javascript:alert(1)")]
    [InlineData("data:text/html,hi")]
    [InlineData("ftp://app.example.com/")]
    [InlineData("")]
    public void Other_urls_are_refused_with_a_reason(string url) => Assert.NotNull(_policy.Problem(url));

    [Fact]
    public void A_url_of_exactly_the_maximum_length_is_accepted_and_one_character_more_refused()
    {
        var url = "https://app.example.com/";
        url += new string('a', RedirectUrls.MaxLength - url.Length);

        Assert.Null(_policy.Problem(url));
        Assert.Contains("at most", _policy.Problem(url + "a"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://app.example.com/pages\\billing")] // .NET and browsers both read it as /pages/billing; refused as api.md says
    [InlineData("https://u@app.example.com/billing")] // one character of user info
    public void A_url_on_an_allowed_origin_is_refused_with_a_backslash_or_any_user_info(string url)
    {
        Assert.NotNull(_policy.Problem(url));
    }

    [Fact]
    public void A_very_long_url_is_refused()
    {
        var url = "https://app.example.com/" + new string('a', RedirectUrls.MaxLength);

        Assert.Contains("at most", _policy.Problem(url), StringComparison.Ordinal);
    }

    [Fact]
    public void Choose_falls_back_to_the_default_and_records_refusals_for_the_field()
    {
        var errors = new ValidationErrors();

        Assert.Equal("https://default.example/x", _policy.Choose(null, "https://default.example/x", "successUrl", errors));
        Assert.Equal("https://app.example.com/y", _policy.Choose("https://app.example.com/y", "https://default.example/x", "successUrl", errors));
        Assert.True(errors.IsEmpty);
        Assert.Null(_policy.Choose("https://evil.example/", "https://default.example/x", "cancelUrl", errors));
        Assert.Equal(["cancelUrl"], errors.Fields);
    }

    [Fact]
    public void With_no_allowed_origins_every_request_url_is_refused()
    {
        var closed = new RedirectUrlPolicy(Options.Create(new RedirectOptions()));

        Assert.NotNull(closed.Problem("https://app.example.com/"));
    }

    [Theory]
    [InlineData("https://app.example.com", true)]
    [InlineData("https://app.example.com/", true)]
    [InlineData("http://localhost:3000", true)]
    [InlineData("https://app.example.com/path", false)]
    [InlineData("https://app.example.com?x", false)]
    [InlineData("*", false)]
    [InlineData("app.example.com", false)]
    [InlineData("", false)]
    public void Configured_origins_are_validated_at_start_up(string origin, bool valid)
    {
        var options = new RedirectOptions { AllowedOrigins = { origin } };

        var result = new RedirectOptionsValidator().Validate(null, options);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("Billing:Redirects:AllowedOrigins:0", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Default_redirect_urls_are_required_absolute_http_urls()
    {
        var checkout = new CheckoutOptionsValidator().Validate(null, new CheckoutOptions { SuccessUrl = "/done", CancelUrl = "" });
        var portal = new PortalOptionsValidator().Validate(null, new PortalOptions { ReturnUrl = "javascript:alert(1)" });
        var good = new CheckoutOptionsValidator().Validate(null, new CheckoutOptions { SuccessUrl = "https://a.example/s?id={CHECKOUT_SESSION_ID}", CancelUrl = "http://localhost:3000/" });

        Assert.True(checkout.Failed);
        Assert.Contains("Billing:Checkout:SuccessUrl", checkout.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Billing:Checkout:CancelUrl", checkout.FailureMessage, StringComparison.Ordinal);
        Assert.True(portal.Failed);
        Assert.Contains("Billing:Portal:ReturnUrl", portal.FailureMessage, StringComparison.Ordinal);
        Assert.True(good.Succeeded);
    }
}
