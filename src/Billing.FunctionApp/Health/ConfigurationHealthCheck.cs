using Billing.FunctionApp.Http;
using Billing.FunctionApp.Configuration;
using Billing.Stripe;
using Billing.Stripe.Webhooks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Health;

/// <summary>Every options class resolves and validates; reports which Stripe, which token issuer and which trigger driver are in use (never a secret).</summary>
public sealed class ConfigurationHealthCheck(IServiceProvider services, IConfiguration configuration) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            _ = services.GetRequiredService<IOptions<StripeClientOptions>>().Value;
            _ = services.GetRequiredService<IOptions<StripeWebhookOptions>>().Value;
            var auth = services.GetRequiredService<IOptions<AuthOptions>>().Value;
            var catalog = services.GetRequiredService<Billing.Domain.Plans.PlanCatalog>();
            var data = new Dictionary<string, object>
            {
                ["stripe"] = StripeSettings.Mode(configuration),
                ["auth"] = string.IsNullOrWhiteSpace(auth.Authority) ? "development-key" : "oidc",
                ["plans"] = catalog.Plans.Count,
                
            };
            return Task.FromResult(HealthCheckResult.Healthy("Settings are valid.", data));
        }
        catch (OptionsValidationException exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Invalid settings: " + string.Join(" ", exception.Failures)));
        }
        catch (Billing.Domain.Plans.PlanCatalogException exception)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy("Invalid plan catalog: " + exception.Message));
        }
    }
}
