using System.Globalization;
using Microsoft.Extensions.Options;

namespace Billing.StripeEmulator.Configuration;

/// <summary>Checks the `Emulator` section at start-up, naming every wrong key.</summary>
internal sealed class EmulatorOptionsValidator : IValidateOptions<EmulatorOptions>
{
    private static readonly string[] Intervals = ["day", "week", "month", "year"];

    public ValidateOptionsResult Validate(string? name, EmulatorOptions options)
    {
        var failures = new List<string>();
        if (!string.IsNullOrEmpty(options.PublicBaseUrl) && !IsHttpUrl(options.PublicBaseUrl))
        {
            failures.Add($"Emulator:PublicBaseUrl '{options.PublicBaseUrl}' must be an absolute http(s) URL such as {EmulatorOptions.DefaultUrl}.");
        }

        for (var i = 0; i < options.WebhookEndpoints.Count; i++)
        {
            var endpoint = options.WebhookEndpoints[i];
            var key = $"Emulator:WebhookEndpoints:{i.ToString(CultureInfo.InvariantCulture)}";
            if (!IsHttpUrl(endpoint.Url))
            {
                failures.Add($"{key}:Url '{endpoint.Url}' must be an absolute http(s) URL.");
            }

            if (!endpoint.Secret.StartsWith("whsec_", StringComparison.Ordinal) || endpoint.Secret.Length < 10)
            {
                failures.Add($"{key}:Secret must be a signing secret starting with 'whsec_'.");
            }

            if (!ApiVersions.IsValid(endpoint.ApiVersion))
            {
                failures.Add($"{key}:ApiVersion '{endpoint.ApiVersion}' must be a Stripe API version such as {Wire.Shapes.EventShape.ApiVersion}.");
            }
        }

        if (!RetrySchedule.TryParse(options.WebhookRetrySchedule, out _, out var scheduleError))
        {
            failures.Add($"Emulator:WebhookRetrySchedule: {scheduleError} (example: \"1,2,4,8,16\").");
        }

        if (options.WebhookTimeout <= TimeSpan.Zero || options.WebhookTimeout > TimeSpan.FromMinutes(5))
        {
            failures.Add("Emulator:WebhookTimeout must be between 00:00:00.001 and 00:05:00.");
        }

        foreach (var (apiKey, index) in options.ApiKeys.Select((k, i) => (k, i)))
        {
            if (!apiKey.StartsWith("sk_test_", StringComparison.Ordinal) || apiKey.Any(char.IsWhiteSpace))
            {
                failures.Add($"Emulator:ApiKeys:{index.ToString(CultureInfo.InvariantCulture)} must be a test secret key ('sk_test_...') without spaces.");
            }
        }

        ValidatePrices(options.Prices, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidatePrices(List<PriceSeedOptions> prices, List<string> failures)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var lookupKeys = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < prices.Count; i++)
        {
            var price = prices[i];
            var key = $"Emulator:Prices:{i.ToString(CultureInfo.InvariantCulture)}";
            if (string.IsNullOrWhiteSpace(price.Id) || price.Id.Any(char.IsWhiteSpace))
            {
                failures.Add($"{key}:Id is required and may not contain spaces.");
            }
            else if (!ids.Add(price.Id))
            {
                failures.Add($"{key}:Id '{price.Id}' is seeded twice.");
            }

            if (string.IsNullOrWhiteSpace(price.Product) || price.Product.Any(char.IsWhiteSpace))
            {
                failures.Add($"{key}:Product is required (a product id such as 'prod_basic').");
            }

            var lookupKey = price.LookupKey ?? price.Id;
            if (!string.IsNullOrEmpty(lookupKey) && !lookupKeys.Add(lookupKey))
            {
                failures.Add($"{key}:LookupKey '{lookupKey}' is used by two prices.");
            }

            if (price.UnitAmount < 0)
            {
                failures.Add($"{key}:UnitAmount must be zero or more (minor units, e.g. 1900 for $19.00).");
            }

            if (price.Currency.Length != 3 || !price.Currency.All(char.IsAsciiLetterLower))
            {
                failures.Add($"{key}:Currency '{price.Currency}' must be a three-letter lowercase ISO code such as 'usd'.");
            }

            if (price.IsRecurring && !Intervals.Contains(price.Interval, StringComparer.Ordinal))
            {
                failures.Add($"{key}:Interval '{price.Interval}' must be month, year, week, day, or empty for a one-time price.");
            }

            if (price.IntervalCount < 1)
            {
                failures.Add($"{key}:IntervalCount must be 1 or more.");
            }
        }
    }

    private static bool IsHttpUrl(string? value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
