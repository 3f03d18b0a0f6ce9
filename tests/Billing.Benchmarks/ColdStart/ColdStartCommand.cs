using System.Diagnostics;
using System.Globalization;
using System.Text;
using Billing.Benchmarks.Load;
using Billing.TestSupport;

namespace Billing.Benchmarks.ColdStart;

/// <summary>
/// <c>coldstart [--runs N]</c>: time from process start to the first 200 of GET /api/health, for the function app
/// under the local host and for the bare app started the same way (<c>dotnet &lt;dll&gt;</c>, same 10 ms poll), in
/// alternating order; one unmeasured start of each first (disk cache, Cosmos database provisioning). The app's health
/// checks its dependencies, so Azurite, the Cosmos server and the Stripe emulator run during the measurement.
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
        var app = new List<TimeSpan>();
        var bare = new List<TimeSpan>();
        try
        {
            for (var run = -1; run < runs; run++)
            {
                var order = run % 2 == 0 ? new[] { true, false } : [false, true];
                foreach (var isApp in order)
                {
                    var time = await StartOnceAsync(isApp, settings, state);
                    log.WriteLine($"run {run + 1}: {(isApp ? "app under host" : "bare app")} {time.TotalMilliseconds:0} ms{(run < 0 ? " (priming, not counted)" : "")}");
                    if (run >= 0)
                    {
                        (isApp ? app : bare).Add(time);
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
        report.AppendLine(Row("bare ASP.NET Core app (`dotnet Billing.Benchmarks.dll bare-app`)", bare, Median(bare)));
        report.AppendLine(Row("function app under the local host (host + isolated worker)", app, Median(bare)));
        Console.Out.Write(report.ToString());
        return 0;
    }

    private static string Row(string name, List<TimeSpan> times, TimeSpan baseline) =>
        Machine.Invariant($"| {name} | {Median(times).TotalMilliseconds:0} | {times.Min().TotalMilliseconds:0} | {times.Max().TotalMilliseconds:0} | **{Machine.Ratio(Median(times).TotalMilliseconds, baseline.TotalMilliseconds)}** |");

    private static TimeSpan Median(List<TimeSpan> times)
    {
        var sorted = times.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private static async Task<TimeSpan> StartOnceAsync(bool isApp, Dictionary<string, string?> settings, string state)
    {
        var port = FreePort.Next();
        var started = Stopwatch.GetTimestamp();
        await using var process = isApp ? Processes.StartHost(settings, port, state) : Processes.StartBareApp(port);
        var ok = await HttpClients.WaitFor200Async(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), "api/health", TimeSpan.FromSeconds(120), () => process.HasExited);
        var elapsed = Stopwatch.GetElapsedTime(started);
        if (!ok)
        {
            throw new InvalidOperationException($"{process.Name} never answered 200 on /api/health:\n{process.Output[^Math.Min(process.Output.Length, 3000)..]}");
        }

        return elapsed;
    }
}
