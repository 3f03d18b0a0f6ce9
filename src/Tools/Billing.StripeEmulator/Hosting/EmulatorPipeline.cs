using Billing.StripeEmulator.Api;
using Billing.StripeEmulator.Controls;
using Billing.StripeEmulator.Pages;
using Billing.StripeEmulator.Wire.Pipeline;

namespace Billing.StripeEmulator.Hosting;

internal static class EmulatorPipeline
{
    /// <summary>
    /// Request-Id -> errors -> API key (/v1) -> parameters -> idempotency (/v1 POST) -> errors (inside, so an
    /// endpoint's error is what the idempotency layer saves) -> endpoints.
    /// </summary>
    public static WebApplication UseStripeEmulator(this WebApplication app)
    {
        app.UseMiddleware<RequestIdMiddleware>();
        app.UseMiddleware<StripeErrorMiddleware>();
        app.UseWhen(IsApi, api => api.UseMiddleware<ApiKeyMiddleware>());
        app.UseMiddleware<RequestParamsMiddleware>();
        app.UseWhen(IsApi, api => api.UseMiddleware<IdempotencyMiddleware>());
        app.UseMiddleware<StripeErrorMiddleware>();

        app.MapStripeApi();
        app.MapEmulatorControls();
        app.MapCheckoutPage();
        app.MapPortalPage();
        app.MapHostedInvoicePage();
        app.MapHomePage();
        return app;
    }

    private static bool IsApi(HttpContext context) => context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal);
}
