namespace Billing.Domain;

internal static class AssemblyMarker
{
}
