namespace Billing.Stripe;

/// <summary>Settings of <see cref="StripeClient"/>. <see cref="ToString"/> never shows the secret key.</summary>
public sealed class StripeClientOptions
{
    public const int DefaultMaxNetworkRetries = 2;

    /// <summary>Upper bound accepted for <see cref="MaxNetworkRetries"/>.</summary>
    public const int MaxAllowedNetworkRetries = 10;

    public static readonly Uri DefaultApiBase = new("https://api.stripe.com");

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(80);

    /// <summary>sk_... or rk_... (any non-empty string without whitespace is accepted, for emulators).</summary>
    public string SecretKey { get; set; } = string.Empty;

    /// <summary>Where requests go; point it at the local Stripe emulator in tests.</summary>
    public Uri ApiBase { get; set; } = DefaultApiBase;

    /// <summary>Retries after the first attempt (Stripe's libraries: 2).</summary>
    public int MaxNetworkRetries { get; set; } = DefaultMaxNetworkRetries;

    /// <summary>Timeout of one attempt (Stripe's libraries: 80 s). A timed-out attempt is retried.</summary>
    public TimeSpan Timeout { get; set; } = DefaultTimeout;

    /// <summary>Every problem with these settings, as readable messages; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrEmpty(SecretKey))
        {
            errors.Add("StripeClientOptions.SecretKey is required (a Stripe secret or restricted key).");
        }
        else if (SecretKey.Any(char.IsWhiteSpace))
        {
            errors.Add("StripeClientOptions.SecretKey contains whitespace; check how the key was copied or configured.");
        }

        if (ApiBase is null || !ApiBase.IsAbsoluteUri || (ApiBase.Scheme != Uri.UriSchemeHttps && ApiBase.Scheme != Uri.UriSchemeHttp))
        {
            errors.Add("StripeClientOptions.ApiBase must be an absolute http(s) URI, e.g. https://api.stripe.com.");
        }

        if (MaxNetworkRetries is < 0 or > MaxAllowedNetworkRetries)
        {
            errors.Add($"StripeClientOptions.MaxNetworkRetries must be between 0 and {MaxAllowedNetworkRetries} (was {MaxNetworkRetries}).");
        }

        if (Timeout <= TimeSpan.Zero || Timeout.TotalMilliseconds > int.MaxValue)
        {
            errors.Add($"StripeClientOptions.Timeout must be positive and at most {int.MaxValue} ms (was {Timeout}).");
        }

        return errors;
    }

    public override string ToString() =>
        $"StripeClientOptions {{ ApiBase = {ApiBase}, MaxNetworkRetries = {MaxNetworkRetries}, Timeout = {Timeout}, SecretKey = {(string.IsNullOrEmpty(SecretKey) ? "(empty)" : "***")} }}";
}
