using System.Globalization;
using Billing.TestSupport;

namespace Billing.Benchmarks.Load;

/// <summary>The two kinds of server the benchmarks start: the function app under the local Functions host, and the bare app.</summary>
internal static class Processes
{
    public const string WebhookSecret = "whsec_benchmark_secret";

    /// <summary>
    /// App settings of the function app against the emulators: log level Warning (so console logging does not
    /// dominate), a webhook secret, a test-mode Stripe key and <paramref name="stripeApiBase"/> (the Stripe emulator, or an
    /// unreachable port when the run never needs Stripe).
    /// </summary>
    public static Dictionary<string, string?> AppSettings(LocalEmulators emulators, Uri stripeApiBase)
    {
        var settings = FunctionAppSettings.ForEmulators(emulators);
        settings["Logging__LogLevel__Default"] = "Warning";
        settings["Stripe__ApiBase"] = stripeApiBase.ToString().TrimEnd('/');
        settings["Stripe__SecretKey"] = StripeEmulatorProcess.SecretKey;
        settings["Stripe__WebhookSecrets__0"] = WebhookSecret;
        return settings;
    }

    /// <summary>Starts the local Functions host over the worker's Release build (or <paramref name="scriptRoot"/>), as FunctionAppProcess does, without waiting.</summary>
    public static ManagedProcess StartHost(IDictionary<string, string?> settings, int port, string stateDirectory, string? scriptRoot = null)
    {
        var environment = new Dictionary<string, string?>(settings) { ["AZURE_FUNCTIONS_ENVIRONMENT"] = "Development" };
        var host = RepoPaths.ProjectOutput("src/Tools/Billing.FunctionsHost", "Billing.FunctionsHost");
        return ManagedProcess.Start(
            "functions-host",
            "dotnet",
            [host, "--script-root", scriptRoot ?? FunctionAppProcess.BuildOutput, "--port", port.ToString(CultureInfo.InvariantCulture), "--state-dir", stateDirectory],
            environment);
    }

    /// <summary>Starts this assembly's <c>bare-app</c> command as its own process (<c>dotnet Billing.Benchmarks.dll bare-app</c>).</summary>
    public static ManagedProcess StartBareApp(int port, string? plansFile = null)
    {
        List<string> arguments = [typeof(Processes).Assembly.Location, "bare-app", "--port", port.ToString(CultureInfo.InvariantCulture)];
        if (plansFile is not null)
        {
            arguments.AddRange(["--plans-file", plansFile]);
        }

        return ManagedProcess.Start("bare-app", "dotnet", arguments);
    }
}
