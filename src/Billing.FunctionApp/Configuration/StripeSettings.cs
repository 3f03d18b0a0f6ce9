using Billing.Stripe.DependencyInjection;

namespace Billing.FunctionApp.Configuration;

/// <summary>
/// The <c>Stripe</c> settings section: <c>SecretKey</c>, <c>ApiBase</c> (the local emulator in development,
/// api.stripe.com otherwise), <c>WebhookSecrets</c> (several while a secret is rotated) and <c>WebhookTolerance</c>.
/// </summary>
public static class StripeSettings
{
    public const string Section = "Stripe";

    public static IServiceCollection AddStripe(this IServiceCollection services, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        services.AddStripeClient(options =>
        {
            options.SecretKey = section["SecretKey"] ?? "";
            if (section["ApiBase"] is { Length: > 0 } apiBase)
            {
                options.ApiBase = new Uri(apiBase, UriKind.Absolute);
            }
        });
        services.AddStripeWebhookVerifier(options =>
        {
            foreach (var secret in section.GetSection("WebhookSecrets").GetChildren().Select(c => c.Value).OfType<string>())
            {
                options.Secrets.Add(secret);
            }

            if (section.GetValue<TimeSpan?>("WebhookTolerance") is { } tolerance)
            {
                options.Tolerance = tolerance;
            }
        });
        return services;
    }

    /// <summary>Which Stripe the app talks to, for the health report: emulator, test or live (never the key itself).</summary>
    public static string Mode(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var apiBase = section["ApiBase"];
        if (apiBase is { Length: > 0 } && Uri.TryCreate(apiBase, UriKind.Absolute, out var uri) && uri.IsLoopback)
        {
            return "emulator";
        }

        return (section["SecretKey"] ?? "").StartsWith("sk_live_", StringComparison.Ordinal) || (section["SecretKey"] ?? "").StartsWith("rk_live_", StringComparison.Ordinal)
            ? "live"
            : "test";
    }
}
