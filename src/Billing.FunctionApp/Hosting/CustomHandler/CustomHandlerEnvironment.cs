using System.Globalization;

namespace Billing.FunctionApp.Hosting.CustomHandler;

/// <summary>Whether an Azure Functions host drives this server, and on which port it expects it.</summary>
public static class CustomHandlerEnvironment
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";

    /// <summary>The port the host assigned, or null when the server runs standalone.</summary>
    public static int? HostPort(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var value = configuration[PortVariable];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536
            ? port
            : throw new InvalidOperationException($"{PortVariable} must be a TCP port number; got '{value}'.");
    }
}
