using Billing.TestSupport;

namespace Billing.StripeEmulator.Tests.Infrastructure;

/// <summary>
/// Starts the built emulator without waiting for it to listen: for start-up failures (invalid configuration),
/// where <see cref="StripeEmulatorProcess.StartAsync"/> would wait for a port that never opens. Everything else
/// uses <see cref="StripeEmulatorProcess"/>.
/// </summary>
public static class EmulatorLauncher
{
    public static ManagedProcess StartExpectingFailure(IDictionary<string, string?> environment)
    {
        var env = new Dictionary<string, string?>(environment) { ["Logging__LogLevel__Default"] = "Warning" };
        return ManagedProcess.Start(
            "stripe-emulator",
            "dotnet",
            [RepoPaths.ProjectOutput("src/Tools/Billing.StripeEmulator", "Billing.StripeEmulator"), "--urls", $"http://127.0.0.1:{FreePort.Next()}"],
            env);
    }
}
