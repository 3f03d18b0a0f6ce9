namespace Billing.Application;

internal static class AssemblyMarker
{
}
