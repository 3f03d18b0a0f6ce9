using Billing.FunctionsHost.Configuration;
using Billing.FunctionsHost.Hosting;
using Billing.FunctionsHost.Worker;

namespace Billing.FunctionsHost;

/// <summary>
/// <c>dotnet Billing.FunctionsHost.dll [--script-root DIR] [--port N] [--state-dir DIR] [--cors ORIGIN[,ORIGIN...]]</c>.
/// Exit codes: 0 clean stop, 1 fatal error while running, 2 bad configuration, 3 port in use.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        HostConfiguration configuration;
        try
        {
            configuration = HostConfiguration.Load(HostCommandLine.Parse(args, Directory.GetCurrentDirectory()));
        }
        catch (HostStartupException e)
        {
            await Console.Error.WriteLineAsync(e.Message).ConfigureAwait(false);
            return 2;
        }

        await using var app = HostApplication.Build(configuration);
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (IOException e) when (HostApplication.IsAddressInUse(e))
        {
            await Console.Error.WriteLineAsync($"Port {configuration.Port} is already in use.").ConfigureAwait(false);
            return 3;
        }

        var supervisor = app.Services.GetRequiredService<WorkerSupervisor>();
        AppDomain.CurrentDomain.ProcessExit += (_, _) => supervisor.KillCurrent();
        var lifetime = app.Services.GetRequiredService<IHostApplicationLifetime>();
        var runtime = app.Services.GetRequiredService<HostRuntime>();
        var fatal = await runtime.RunAsync(HostApplication.GrpcUri(app), Console.Out, lifetime.ApplicationStopping).ConfigureAwait(false);
        await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
        if (fatal is not null)
        {
            await Console.Error.WriteLineAsync(fatal).ConfigureAwait(false);
            return 1;
        }

        return 0;
    }
}
