namespace Billing.Stripe;

internal static class AssemblyMarker
{
}
