namespace Billing.StripeEmulator.Controls;

/// <summary>All `/_emulator` test controls (no API key needed).</summary>
internal static class EmulatorControls
{
    public static IEndpointRouteBuilder MapEmulatorControls(this IEndpointRouteBuilder routes)
    {
        routes.MapResetControl();
        routes.MapClockControls();
        routes.MapCheckoutControls();
        routes.MapPortalControls();
        routes.MapCustomerControls();
        routes.MapEventControls();
        routes.MapWebhookControls();
        routes.MapMeterEventControls();
        routes.MapReversalControls();
        return routes;
    }
}
