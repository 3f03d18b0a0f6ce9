using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.Benchmarks.Load;
using Billing.TestSupport;

namespace Billing.Benchmarks.ColdStart;

/// <summary>
/// <c>coldstart [--runs N]</c>: time from process start to the first 200 of GET /api/health, for the function app
/// under the local host, from its build output and as <c>dotnet publish</c> makes it for Azure (ReadyToRun), and for
/// the bare app started the same way (<c>dotnet &lt;dll&gt;</c>, same 10 ms poll), in rotating order; one unmeasured
/// start of each first (disk cache, Cosmos database provisioning). The app's health checks its dependencies, so
/// Azurite, the Cosmos server and the Stripe emulator run during the measurement.
/// </summary>
internal static class ColdStartCommand
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        var runs = arguments is ["--runs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 5;
        var log = Console.Error;
        var loadBefore = Machine.LoadAverage();
        log.WriteLine("Starting Azurite, the Cosmos server and the Stripe emulator...");
        var emulators = await LocalEmulators.GetAsync();
        await using var stripe = await StripeEmulatorProcess.StartAsync();
        var settings = Processes.AppSettings(emulators, stripe.ApiBase);
        // /api/health checks the queue; in Azure it is provisioned with the app.
        await new Azure.Storage.Queues.QueueClient(emulators.StorageConnectionString, settings["STRIPE_EVENTS_QUEUE"]).CreateIfNotExistsAsync();
        var state = Directory.CreateTempSubdirectory("billing-bench-host-").FullName;
        var published = Path.Combine(state, "published");
        log.WriteLine("Publishing the function app as for Azure (dotnet publish -c Release)...");
        await PublishAsync(published);
        Target[] targets =
        [
            new("bare ASP.NET Core app (`dotnet Billing.Benchmarks.dll bare-app`)", port => Processes.StartBareApp(port)),
            new("function app under the local host (host + isolated worker), build output (JIT)", port => Processes.StartHost(settings, port, state)),
            new("the same, published as for Azure (`dotnet publish`: ReadyToRun, linux-x64)", port => Processes.StartHost(settings, port, state, published)),
        ];
        var times = targets.ToDictionary(t => t, _ => new List<TimeSpan>());
        try
        {
            for (var run = -1; run < runs; run++)
            {
                for (var i = 0; i < targets.Length; i++)
                {
                    var target = targets[(i + Math.Max(run, 0)) % targets.Length];
                    var time = await StartOnceAsync(target, state);
                    log.WriteLine($"run {run + 1}: {target.Name} {time.TotalMilliseconds:0} ms{(run < 0 ? " (priming, not counted)" : "")}");
                    if (run >= 0)
                    {
                        times[target].Add(time);
                    }
                }
            }
        }
        finally
        {
            await emulators.DisposeAsync();
            Directory.Delete(state, recursive: true);
        }

        var report = new StringBuilder();
        report.AppendLine(Machine.Invariant($"coldstart, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Machine.Describe()}; load average {loadBefore} before, {Machine.LoadAverage()} after; N = {runs} measured starts each"));
        report.AppendLine();
        report.AppendLine("| process | median (ms) | min (ms) | max (ms) | ratio of medians |");
        report.AppendLine("|---|---:|---:|---:|---:|");
        var baseline = Median(times[targets[0]]);
        foreach (var target in targets)
        {
            report.AppendLine(Row(target.Name, times[target], baseline));
        }

        Console.Out.Write(report.ToString());
        return 0;
    }

    private sealed record Target(string Name, Func<int, ManagedProcess> Start);

    /// <summary>Publishes the function app into <paramref name="output"/> with the project's own publish settings, and checks that they still compile ReadyToRun.</summary>
    private static async Task PublishAsync(string output)
    {
        await FunctionAppProcess.PublishAsync(output, output + "-artifacts", TimeSpan.FromMinutes(30));

        // What is measured must be what the project promises: a ReadyToRun image has a managed native header.
        foreach (var assembly in (string[])["Billing.FunctionApp.dll", "Billing.Application.dll", "Microsoft.Azure.Cosmos.Client.dll", "Microsoft.Azure.Functions.Worker.Core.dll"])
        {
            using var pe = new System.Reflection.PortableExecutable.PEReader(File.OpenRead(Path.Combine(output, assembly)));
            if (pe.PEHeaders.CorHeader?.ManagedNativeHeaderDirectory.Size is not > 0)
            {
                throw new InvalidOperationException($"The published {assembly} is IL only: the project no longer publishes ReadyToRun.");
            }
        }
    }

    private static string Row(string name, List<TimeSpan> times, TimeSpan baseline) =>
        Machine.Invariant($"| {name} | {Median(times).TotalMilliseconds:0} | {times.Min().TotalMilliseconds:0} | {times.Max().TotalMilliseconds:0} | **{Machine.Ratio(Median(times).TotalMilliseconds, baseline.TotalMilliseconds)}** |");

    private static TimeSpan Median(List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<TimeSpan> StartOnceAsync(Target target, string state)
    {
        var port = FreePort.Next();
        var started = Stopwatch.GetTimestamp();
        await using var process = target.Start(port);
        var ok = await HttpClients.WaitFor200Async(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), "api/health", TimeSpan.FromSeconds(120), () => process.HasExited);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!ok)
        {
            throw new InvalidOperationException($"{process.Name} never answered 200 on /api/health:\n{process.Output[^Math.Min(process.Output.Length, 3000)..]}");
        }

        return elapsed;
    }
}
