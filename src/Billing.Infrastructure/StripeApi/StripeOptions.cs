namespace Billing.Infrastructure.StripeApi;

/// <summary>
/// The <c>Stripe</c> settings section, bound and validated at start-up (<see cref="StripeOptionsValidator"/>).
/// <see cref="ToString"/> never shows the key or the secrets.
/// </summary>
public sealed class StripeOptions
{
    public const string SectionName = "Stripe";

    public static readonly TimeSpan DefaultWebhookTolerance = TimeSpan.FromMinutes(5);

    /// <summary>
    /// 30 s an attempt: the three attempts of a call (<see cref="DefaultMaxNetworkRetries"/>) end within ~95 s, inside
    /// the 230 s after which Azure's front end ends an HTTP request and well inside host.json's functionTimeout, at
    /// which the Functions host restarts the worker (and every invocation running on it). Stripe answers in well
    /// under a second; Stripe.net's own default of 80 s would let one call run 4 minutes.
    /// </summary>
    public static readonly TimeSpan DefaultRequestTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest a call may take with every attempt timing out: <see cref="RequestTimeout"/> x (<see cref="MaxNetworkRetries"/> + 1).</summary>
    public static readonly TimeSpan MaxCallTime = TimeSpan.FromSeconds(200);

    public const int DefaultMaxNetworkRetries = 2;

    /// <summary>Below Stripe's test-mode limit of 25 read or write requests per second (live mode allows 100).</summary>
    public const int DefaultRequestsPerSecond = 20;

    /// <summary>A secret (<c>sk_</c>) or restricted (<c>rk_</c>) key of test or live mode.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Another API base (the local emulator, <c>http://127.0.0.1:PORT</c>); null for api.stripe.com.</summary>
    public Uri? ApiBase { get; set; }

    /// <summary>The webhook endpoint's signing secrets (<c>whsec_...</c>); several while a secret is rotated.</summary>
    public IList<string> WebhookSecrets { get; } = new List<string>();

    /// <summary>How far a webhook's signed timestamp may be from now, either way.</summary>
    public TimeSpan WebhookTolerance { get; set; } = DefaultWebhookTolerance;

    /// <summary>Retries of a failed request (connection errors, timeouts, 409, 5xx) by Stripe.net, under one idempotency key.</summary>
    public int MaxNetworkRetries { get; set; } = DefaultMaxNetworkRetries;

    /// <summary>The timeout of each attempt (the HttpClient's timeout); a wait for the request budget counts in it.</summary>
    public TimeSpan RequestTimeout { get; set; } = DefaultRequestTimeout;

    /// <summary>
    /// The budget of requests per second to Stripe shared by every Stripe call of the process, retries included
    /// (<see cref="StripeRequestBudget"/>); 1 to 100.
    /// </summary>
    public int RequestsPerSecond { get; set; } = DefaultRequestsPerSecond;

    /// <summary>
    /// The budget instead of <see cref="RequestsPerSecond"/> while the key is a test-mode one (Stripe allows test mode a
    /// quarter of live mode's rate: 25 requests per second against 100), so one deployment's settings fit either key;
    /// null: <see cref="RequestsPerSecond"/> in both modes. 1 to 100.
    /// </summary>
    public int? TestModeRequestsPerSecond { get; set; }

    /// <summary>The budget for the mode of <see cref="SecretKey"/>: <see cref="TestModeRequestsPerSecond"/> when it is set and the key is a test-mode one, else <see cref="RequestsPerSecond"/>.</summary>
    public int RequestsPerSecondForKey => KeyMode == StripeKeyMode.Test && TestModeRequestsPerSecond is { } testMode ? testMode : RequestsPerSecond;

    /// <summary>Live for <c>sk_live_</c> and <c>rk_live_</c> keys, Test otherwise (the validator refuses any other prefix).</summary>
    public StripeKeyMode KeyMode => IsLiveKey(SecretKey) ? StripeKeyMode.Live : StripeKeyMode.Test;

    /// <summary>The base URL Stripe.net gets: <see cref="ApiBase"/> without its trailing slash, or null for Stripe itself.</summary>
    internal string? ApiBaseForClient => ApiBase?.GetLeftPart(UriPartial.Path).TrimEnd('/');

    internal static bool IsLiveKey(string? key) =>
        key is not null && (key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal));

    public override string ToString() =>
        $"StripeOptions {{ KeyMode = {KeyMode}, ApiBase = {ApiBase?.ToString() ?? "api.stripe.com"}, WebhookSecrets = {WebhookSecrets.Count} configured, WebhookTolerance = {WebhookTolerance}, MaxNetworkRetries = {MaxNetworkRetries}, RequestTimeout = {RequestTimeout}, RequestsPerSecond = {RequestsPerSecond}, TestModeRequestsPerSecond = {TestModeRequestsPerSecond?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unset"} }}";
}
