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
    public async Task On_another_page_port_Checkout_and_the_portal_return_to_the_pages_on_that_port()
    {
        // README: BILLING_PAGE_PORT moves the pages' host, and "Checkout and the portal return to it". The app's return
        // URLs came from appsettings.Development.json (http://localhost:3000) whatever the port, so after paying on the
        // emulator's page the browser landed on a port nothing served.
        var output = await BashAsync("""
            unset Billing__Checkout__SuccessUrl Billing__Checkout__CancelUrl Billing__Portal__ReturnUrl Billing__Redirects__AllowedOrigins__0
            export_page_return_urls 3200
            env | grep -E '^Billing__(Checkout__(Success|Cancel)Url|Portal__ReturnUrl|Redirects__AllowedOrigins__0)=' | sort
            """);

        Assert.Equal(
            """
            Billing__Checkout__CancelUrl=http://localhost:3200/billing
            Billing__Checkout__SuccessUrl=http://localhost:3200/billing/success?session_id={CHECKOUT_SESSION_ID}
            Billing__Portal__ReturnUrl=http://localhost:3200/billing
            Billing__Redirects__AllowedOrigins__0=http://localhost:3200
            """,
            output.Trim().ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task On_the_default_page_port_or_with_a_url_set_in_the_shell_the_return_urls_are_left_to_the_settings()
    {
        // On port 3000 the app's own settings (local.settings.json over appsettings.Development.json) keep their say, and a
        // value exported in the shell always wins.
        var output = await BashAsync("""
            unset Billing__Checkout__SuccessUrl Billing__Checkout__CancelUrl Billing__Portal__ReturnUrl Billing__Redirects__AllowedOrigins__0
            export_page_return_urls 3000
            echo "3000: ${Billing__Checkout__SuccessUrl-unset}"
            export Billing__Checkout__SuccessUrl=http://localhost:5173/done
            export_page_return_urls 3200
            echo "3200: $Billing__Checkout__SuccessUrl"
            """);

        Assert.Equal("3000: unset\n3200: http://localhost:5173/done", output.Trim().ReplaceLineEndings("\n"));
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
