namespace Billing.Cosmos;

internal static class AssemblyMarker
{
}
