using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// Every problem of <see cref="StripeOptions"/> with a clear message (never the key itself). A live key is refused
/// in the Development environment, so a developer machine can never touch live data; outside Development the
/// published development webhook secret (<see cref="DevelopmentWebhookSecret"/>) is refused, as the development
/// signing key and API key are: it is in the repository, so a signature made with it proves nothing.
/// </summary>
internal sealed class StripeOptionsValidator(IHostEnvironment environment) : IValidateOptions<StripeOptions>
{
    /// <summary>
    /// The webhook signing secret local runs use (appsettings.Development.json, local.settings.sample.json,
    /// scripts/run-local.sh and the Stripe emulator they start).
    /// </summary>
    public const string DevelopmentWebhookSecret = "whsec_local_emulator_signing_secret";

    /// <summary>The widest webhook timestamp tolerance accepted.</summary>
    public static readonly TimeSpan MaxWebhookTolerance = TimeSpan.FromHours(1);

    private static readonly string[] KeyPrefixes = ["sk_test_", "sk_live_", "rk_test_", "rk_live_"];

    public ValidateOptionsResult Validate(string? name, StripeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        ValidateKey(options.SecretKey, errors);
        ValidateApiBase(options.ApiBase, errors);
        ValidateWebhooks(options, environment.IsDevelopment(), errors);
        if (options.MaxNetworkRetries is < 0 or > 10)
        {
            errors.Add($"Stripe:MaxNetworkRetries must be between 0 and 10 (was {options.MaxNetworkRetries}).");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            errors.Add($"Stripe:RequestTimeout must be positive and at most 5 minutes (was {options.RequestTimeout}).");
        }

        else if (options.MaxNetworkRetries is >= 0 and <= 10 && options.RequestTimeout * (options.MaxNetworkRetries + 1) > StripeOptions.MaxCallTime)
        {
            errors.Add($"Stripe:RequestTimeout x (Stripe:MaxNetworkRetries + 1) must stay within {StripeOptions.MaxCallTime.TotalSeconds:0} s (was {options.RequestTimeout.TotalSeconds:0} s x {options.MaxNetworkRetries + 1}): Azure ends an HTTP request after 230 s, and a function that outlives its timeout restarts the worker.");
        }

        if (options.RequestsPerSecond is < 1 or > 100)
        {
            errors.Add($"Stripe:RequestsPerSecond must be between 1 and 100 (was {options.RequestsPerSecond}); Stripe allows 25 per second in test mode and 100 in live mode.");
        }

        if (options.TestModeRequestsPerSecond is < 1 or > 100)
        {
            errors.Add($"Stripe:TestModeRequestsPerSecond must be between 1 and 100 when set (was {options.TestModeRequestsPerSecond}); Stripe allows 25 per second in test mode.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private void ValidateKey(string? key, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(key))
        {
            errors.Add("Stripe:SecretKey is required (sk_test_... or rk_test_... for development, a live key in production).");
            return;
        }

        if (!KeyPrefixes.Any(prefix => key.StartsWith(prefix, StringComparison.Ordinal) && key.Length > prefix.Length) || key.Any(char.IsWhiteSpace))
        {
            errors.Add("Stripe:SecretKey is not a Stripe secret or restricted key: it must start with sk_test_, sk_live_, rk_test_ or rk_live_ and contain no whitespace.");
            return;
        }

        if (StripeOptions.IsLiveKey(key) && environment.IsDevelopment())
        {
            errors.Add("Stripe:SecretKey is a live-mode key, which is refused in the Development environment: use a test key (sk_test_/rk_test_) locally.");
        }
    }

    private static void ValidateApiBase(Uri? apiBase, List<string> errors)
    {
        if (apiBase is null)
        {
            return;
        }

        if (!apiBase.IsAbsoluteUri || (apiBase.Scheme != Uri.UriSchemeHttp && apiBase.Scheme != Uri.UriSchemeHttps))
        {
            errors.Add("Stripe:ApiBase must be an absolute http or https URL (e.g. http://127.0.0.1:12111 for the emulator).");
        }
        else if (!string.IsNullOrEmpty(apiBase.UserInfo))
        {
            errors.Add("Stripe:ApiBase must not contain credentials.");
        }
        else if (!string.IsNullOrEmpty(apiBase.Query) || !string.IsNullOrEmpty(apiBase.Fragment))
        {
            errors.Add("Stripe:ApiBase must not have a query or fragment.");
        }
    }

    private static void ValidateWebhooks(StripeOptions options, bool isDevelopment, List<string> errors)
    {
        if (options.WebhookSecrets.Count == 0)
        {
            errors.Add("Stripe:WebhookSecrets needs at least one webhook signing secret (whsec_...).");
        }

        for (var i = 0; i < options.WebhookSecrets.Count; i++)
        {
            var secret = options.WebhookSecrets[i];
            if (string.IsNullOrEmpty(secret) || !secret.StartsWith("whsec_", StringComparison.Ordinal) || secret.Length == "whsec_".Length || secret.Any(char.IsWhiteSpace))
            {
                errors.Add($"Stripe:WebhookSecrets:{i} is not a webhook signing secret (whsec_... without whitespace).");
            }
            else if (!isDevelopment && string.Equals(secret, DevelopmentWebhookSecret, StringComparison.Ordinal))
            {
                errors.Add($"Stripe:WebhookSecrets:{i} is the published development signing secret ({DevelopmentWebhookSecret}), accepted only in the Development environment: anyone could sign events with it; configure the endpoint's secret from the Stripe Dashboard.");
            }
        }

        if (options.WebhookTolerance <= TimeSpan.Zero || options.WebhookTolerance > MaxWebhookTolerance)
        {
            // Past an hour a captured delivery could be replayed for longer than any clock drift explains (Stripe's own libraries use 5 minutes).
            errors.Add($"Stripe:WebhookTolerance must be more than 0 and at most {MaxWebhookTolerance} (was {options.WebhookTolerance}).");
        }
    }
}
