using System.Diagnostics;
using Billing.Infra.Tests.Bicep;

namespace Billing.Infra.Tests;

/// <summary>scripts/lib/local-stack.sh, the decisions of scripts/run-local.sh, run in bash without starting anything.</summary>
public sealed class LocalStackScriptTests
{
    [Fact]
    public async Task A_Stripe_key_exported_without_an_api_base_runs_against_api_stripe_com_not_the_emulator_address()
    {
        // The app in Development takes Stripe:ApiBase from appsettings.Development.json (and a local.settings.json copied
        // from the sample) when the variable is unset: the emulator's address, where run-local.sh then starts nothing, so
        // the real key went to 127.0.0.1:12111. Deciding for the real API, the script must hand the app an empty ApiBase.
        var output = await BashAsync("""
            export Stripe__SecretKey=sk_test_real_key; unset Stripe__ApiBase
            use_real_stripe && echo "real ApiBase=${Stripe__ApiBase-unset}"
            """);

        Assert.Equal("real ApiBase=", output.Trim());
    }

    [Theory]
    [InlineData("unset Stripe__SecretKey Stripe__ApiBase")]
    [InlineData("export Stripe__SecretKey=sk_test_real_key Stripe__ApiBase=http://127.0.0.1:12111")]
    public async Task Without_a_key_or_with_an_api_base_the_emulator_runs(string shell)
    {
        var output = await BashAsync(shell + "\nuse_real_stripe && echo real || echo emulator");

        Assert.Equal("emulator", output.Trim());
    }

    [Fact]
    public async Task An_emulator_whose_port_another_process_took_meanwhile_is_not_taken_for_started()
    {
        // test.sh picks a free port, then starts the emulator on it; on a busy machine another process can listen there
        // first. The emulator then exits (EADDRINUSE) once Node.js has loaded it, but the other process already answers on
        // the port: the tests ran against it (another run's Cosmos server, gone when that run ended) until it stopped.
        var output = await BashAsync("""
            port=$(free_port); logs=$(mktemp -d)
            node -e "require('net').createServer().listen(+process.argv[1], '127.0.0.1')" "$port" & other=$!
            trap 'kill $other; stop_all; rm -rf "$logs"' EXIT
            wait_for_port "the other process" "$port" 30 /dev/null
            start_cosmos "$port" "$logs" 2>/dev/null && echo "started on a taken port" || echo "refused with $?"
            """);

        Assert.Equal("refused with 2", output.Trim());
    }

    private static async Task<string> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = BicepCli.RepositoryRoot,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add("set -euo pipefail; source scripts/lib/local-stack.sh\n" + script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
