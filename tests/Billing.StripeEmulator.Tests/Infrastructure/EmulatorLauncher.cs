using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>Starts the built emulator (`dotnet Billing.StripeEmulator.dll --urls ...`) as a child process.</summary>
public static class EmulatorLauncher
{
    public static ManagedProcess Start(string url, IDictionary<string, string?> environment)
    {
        var env = new Dictionary<string, string?>(environment)
        {
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Billing"] = "Warning",
        };
        return ManagedProcess.Start(
            "stripe-emulator",
            "dotnet",
            [RepoPaths.ProjectOutput("src/Tools/Billing.StripeEmulator", "Billing.StripeEmulator"), "--urls", url],
            env);
    }
}
