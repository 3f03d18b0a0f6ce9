using System.Diagnostics;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Support;

/// <summary>Runs the built <c>billing</c> CLI as a process and collects its exit code and output.</summary>
internal static class CliRun
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepoPaths.RepoRoot,
        };
        info.ArgumentList.Add(RepoPaths.ProjectOutput("src/Tools/Billing.Cli", "billing"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("BILLING_TOKEN");
        info.Environment.Remove("BILLING_URL");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the CLI.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }

    public static string DevelopmentSettings => Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "appsettings.Development.json");
}
