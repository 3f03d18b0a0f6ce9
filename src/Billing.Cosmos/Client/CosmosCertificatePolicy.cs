using System.Net;

namespace Billing.Cosmos.Client;

/// <summary>
/// Server certificate validation is relaxed only for a loopback endpoint (the local Cosmos server and the emulator
/// use self-signed certificates); every other endpoint is validated normally.
/// </summary>
public static class CosmosCertificatePolicy
{
    public static bool MayRelaxValidation(Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (!endpoint.IsAbsoluteUri)
        {
            return false;
        }

        var host = endpoint.IdnHost;
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return endpoint.HostNameType is UriHostNameType.IPv4 or UriHostNameType.IPv6 &&
               IPAddress.TryParse(host.Trim('[', ']'), out var address) &&
               IPAddress.IsLoopback(address);
    }
}
