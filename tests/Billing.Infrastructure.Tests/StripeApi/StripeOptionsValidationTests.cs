using Billing.Infrastructure.StripeApi;
using Billing.Infrastructure.Tests.Support;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.Tests.StripeApi;

public sealed class StripeOptionsValidationTests
{
    [Fact]
    public void Test_settings_with_the_emulator_are_valid_everywhere()
    {
        Assert.True(Validate(Options(), Environments.Development).Succeeded);
        Assert.True(Validate(Options(), Environments.Production).Succeeded);
    }

    [Theory]
    [InlineData("sk_live_abc")]
    [InlineData("rk_live_abc")]
    public void A_live_key_is_refused_in_Development_only(string key)
    {
        var development = Validate(Options(key), Environments.Development);

        Assert.False(development.Succeeded);
        Assert.Contains("live-mode key, which is refused in the Development environment", development.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(key, development.FailureMessage, StringComparison.Ordinal);
        Assert.True(Validate(Options(key), Environments.Production).Succeeded);
        Assert.Equal(StripeKeyMode.Live, Options(key).KeyMode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("pk_test_abc")]
    [InlineData("sk_test_")]
    [InlineData("sk_test_a b")]
    [InlineData("whsec_abc")]
    public void The_key_must_be_a_secret_or_restricted_key(string key)
    {
        var result = Validate(Options(key), Environments.Production);

        Assert.False(result.Succeeded);
        Assert.Contains("Stripe:SecretKey", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1:12111", "absolute http or https")]
    [InlineData("relative/path", "absolute http or https")]
    [InlineData("http://user:pass@127.0.0.1:12111", "credentials")]
    public void A_bad_api_base_is_refused(string apiBase, string expected)
    {
        var options = Options();
        options.ApiBase = new Uri(apiBase, UriKind.RelativeOrAbsolute);

        var result = Validate(options, Environments.Development);

        Assert.False(result.Succeeded);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("user:pass", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void At_least_one_webhook_secret_is_needed_and_each_must_be_a_signing_secret()
    {
        var none = new StripeOptions { SecretKey = "sk_test_abc" };
        Assert.Contains("at least one webhook signing secret", Validate(none, Environments.Production).FailureMessage, StringComparison.Ordinal);

        var wrong = Options();
        wrong.WebhookSecrets.Add("sk_test_not_a_webhook_secret");
        Assert.Contains("Stripe:WebhookSecrets:1", Validate(wrong, Environments.Production).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Outside_Development_the_published_development_webhook_secret_is_refused()
    {
        // In appsettings.Development.json, local.settings.sample.json and scripts/run-local.sh: anyone can sign events with it.
        var options = Options();
        options.WebhookSecrets.Add("whsec_local_emulator_signing_secret");

        var production = Validate(options, Environments.Production);

        Assert.Equal(
            ["Stripe:WebhookSecrets:1 is the published development signing secret (whsec_local_emulator_signing_secret), accepted only in the Development environment: anyone could sign events with it; configure the endpoint's secret from the Stripe Dashboard."],
            production.Failures);
        Assert.True(Validate(options, Environments.Development).Succeeded);
    }

    [Fact]
    public void Retries_timeout_and_tolerance_are_bounded()
    {
        var options = Options();
        options.MaxNetworkRetries = -1;
        options.RequestTimeout = TimeSpan.Zero;
        options.WebhookTolerance = TimeSpan.Zero;

        var result = Validate(options, Environments.Production);

        Assert.Equal(3, result.Failures!.Count());
        var widest = Options();
        widest.WebhookTolerance = TimeSpan.FromHours(1);
        Assert.True(Validate(widest, Environments.Production).Succeeded);
        var typo = Options();
        typo.WebhookTolerance = TimeSpan.FromDays(5); // "5.00:00:00" meant as 5 minutes
        Assert.Contains("Stripe:WebhookTolerance must be more than 0 and at most 01:00:00 (was 5.00:00:00)", Assert.Single(Validate(typo, Environments.Production).Failures!), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(30, 2, true)] // the defaults: ~95 s at worst
    [InlineData(66, 2, true)]
    [InlineData(67, 2, false)]
    [InlineData(80, 2, false)] // Stripe.net's own default: 4 minutes at worst, past Azure's 230 s HTTP limit
    [InlineData(200, 0, true)]
    [InlineData(20, 10, false)]
    public void Every_attempt_of_a_call_timing_out_still_ends_within_200_seconds(int timeoutSeconds, int retries, bool valid)
    {
        var options = Options();
        options.RequestTimeout = TimeSpan.FromSeconds(timeoutSeconds);
        options.MaxNetworkRetries = retries;

        var result = Validate(options, Environments.Production);

        Assert.True(result.Succeeded == valid, result.FailureMessage);
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(20, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void The_request_budget_is_between_1_and_100_per_second(int requestsPerSecond, bool valid)
    {
        var options = Options();
        options.RequestsPerSecond = requestsPerSecond;

        var result = Validate(options, Environments.Production);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains($"Stripe:RequestsPerSecond must be between 1 and 100 (was {requestsPerSecond})", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(1, true)]
    [InlineData(100, true)]
    [InlineData(101, false)]
    public void The_test_mode_request_budget_when_set_is_between_1_and_100_per_second(int requestsPerSecond, bool valid)
    {
        var options = Options();
        options.TestModeRequestsPerSecond = requestsPerSecond;

        var result = Validate(options, Environments.Production);

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains($"Stripe:TestModeRequestsPerSecond must be between 1 and 100 when set (was {requestsPerSecond})", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("sk_test_x", null, 4)]
    [InlineData("sk_test_x", 1, 1)]
    [InlineData("rk_test_x", 1, 1)]
    [InlineData("sk_live_x", 1, 4)]
    [InlineData("rk_live_x", 1, 4)]
    public void The_budget_of_a_test_mode_key_is_the_test_mode_one_when_it_is_set(string key, int? testMode, int expected)
    {
        var options = new StripeOptions { SecretKey = key, RequestsPerSecond = 4, TestModeRequestsPerSecond = testMode };
        using var budget = new StripeRequestBudget(Microsoft.Extensions.Options.Options.Create(options));

        Assert.Equal((expected, (double)expected), (options.RequestsPerSecondForKey, budget.RequestsPerSecond));
    }

    [Fact]
    public void The_request_budget_defaults_to_20_per_second_below_the_test_mode_limit()
    {
        Assert.Equal(20, new StripeOptions().RequestsPerSecond);
        Assert.Contains("RequestsPerSecond = 20", Options().ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_description_never_shows_the_key_or_secrets()
    {
        var text = Options("sk_test_secret_value").ToString();

        Assert.DoesNotContain("secret_value", text, StringComparison.Ordinal);
        Assert.DoesNotContain("whsec_", text, StringComparison.Ordinal);
        Assert.Contains("KeyMode = Test", text, StringComparison.Ordinal);
    }

    private static StripeOptions Options(string key = "sk_test_abc")
    {
        var options = new StripeOptions { SecretKey = key, ApiBase = new Uri("http://127.0.0.1:12111") };
        options.WebhookSecrets.Add("whsec_abc");
        return options;
    }

    private static ValidateOptionsResult Validate(StripeOptions options, string environment) =>
        new StripeOptionsValidator(new TestEnvironment(environment)).Validate(null, options);
}
