namespace Billing.Stripe.Tests.Support;

/// <summary>Builds a client over a stub handler, with sleeping switched off.</summary>
internal static class TestStripe
{
    public const string SecretKey = "sk_test_51Billing";
    public static readonly Uri ApiBase = new("https://stripe.test/");

    public static StripeClient Client(StubHttpMessageHandler handler, RecordingRetryDelay? delay = null, Action<StripeClientOptions>? configure = null)
    {
        var options = new StripeClientOptions { SecretKey = SecretKey, ApiBase = ApiBase };
        configure?.Invoke(options);
        return new StripeClient(new HttpClient(handler), options, logger: null, retryDelay: delay ?? new RecordingRetryDelay());
    }

    /// <summary>Form or query string to ordered, unescaped pairs.</summary>
    public static List<KeyValuePair<string, string>> ParseForm(string? encoded)
    {
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(encoded))
        {
            return pairs;
        }

        foreach (var part in encoded.TrimStart('?').Split('&'))
        {
            var separator = part.IndexOf('=');
            var key = separator < 0 ? part : part[..separator];
            var value = separator < 0 ? string.Empty : part[(separator + 1)..];
            pairs.Add(new(Uri.UnescapeDataString(key.Replace('+', ' ')), Uri.UnescapeDataString(value.Replace('+', ' '))));
        }

        return pairs;
    }
}
