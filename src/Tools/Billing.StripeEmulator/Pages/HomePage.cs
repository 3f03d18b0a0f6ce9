namespace Billing.StripeEmulator.Pages;

/// <summary>`GET /`: what this server is.</summary>
internal static class HomePage
{
    public static IEndpointRouteBuilder MapHomePage(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/", () => Html.Page(
            "Stripe emulator",
            "<p>A local, in-memory stand-in for Stripe's API (version " + Wire.Shapes.EventShape.ApiVersion + ") for development and tests. " +
            "API under <code>/v1</code> (any <code>sk_test_...</code> key), test controls under <code>/_emulator</code>. " +
            "See docs/stripe-emulator.md in the repository.</p>"));
        return routes;
    }
}
