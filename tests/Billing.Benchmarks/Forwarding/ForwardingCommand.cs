using System.Globalization;
using System.Text;
using Billing.Benchmarks.Load;
using Billing.TestSupport;

namespace Billing.Benchmarks.Forwarding;

/// <summary>
/// <c>forwarding [--seconds S] [--warmup-seconds W] [--levels 1,8,64]</c>: GET /api/billing/plans (anonymous; no I/O
/// once its prices are cached) through the local host and its isolated worker, next to the bare app serving the same bytes (captured from the
/// app first), at each concurrency level: W s warm-up then S s measured per target, targets alternating which goes
/// first. Also the peak RSS (sum of VmHWM over the process tree) of host + worker and of the bare app after the last level.
/// The app reads the plan prices from the Stripe emulator once, before measuring (they are then kept for ten minutes,
/// longer than a run), and the command checks that the captured answer has them (<c>pricesAvailable: true</c>).
/// </summary>
internal static class ForwardingCommand
{
    private static readonly Uri Plans = new("api/billing/plans", UriKind.Relative);

    public static async Task<int> RunAsync(string[] arguments)
    {
        var seconds = 10;
        var warmup = 3;
        int[] levels = [1, 8, 64];
        for (var i = 0; i + 1 < arguments.Length; i += 2)
        {
            switch (arguments[i])
            {
                case "--seconds": seconds = int.Parse(arguments[i + 1], CultureInfo.InvariantCulture); break;
                case "--warmup-seconds": warmup = int.Parse(arguments[i + 1], CultureInfo.InvariantCulture); break;
                case "--levels": levels = [.. arguments[i + 1].Split(',').Select(l => int.Parse(l, CultureInfo.InvariantCulture))]; break;
                default: throw new ArgumentException("forwarding: unknown option " + arguments[i]);
            }
        }

        var log = Console.Error;
        var loadBefore = Machine.LoadAverage();
        var emulators = await LocalEmulators.GetAsync();
        await using var stripe = await StripeEmulatorProcess.StartAsync();
        var plansFile = Path.GetTempFileName();
        var results = new List<(LoadResult App, LoadResult Bare)>();
        double? appRss;
        double? bareRss;
        try
        {
            var settings = Processes.AppSettings(emulators, stripe.ApiBase);
            await using var app = await FunctionAppProcess.StartAsync(settings);
            var body = await app.Http.GetByteArrayAsync(Plans);
            using (var plans = System.Text.Json.JsonDocument.Parse(body))
            {
                if (!plans.RootElement.GetProperty("pricesAvailable").GetBoolean())
                {
                    throw new InvalidOperationException("The app could not read the plan prices from the Stripe emulator; the run would measure Stripe calls.");
                }
            }

            await File.WriteAllBytesAsync(plansFile, body);
            var barePort = FreePort.Next();
            var bareBase = new Uri($"http://127.0.0.1:{barePort.ToString(CultureInfo.InvariantCulture)}/");
            await using var bare = Processes.StartBareApp(barePort, plansFile);
            if (!await HttpClients.WaitFor200Async(bareBase, "api/health", TimeSpan.FromSeconds(60), () => bare.HasExited))
            {
                throw new InvalidOperationException("The bare app did not start:\n" + bare.Output);
            }

            log.WriteLine($"GET /api/billing/plans answers {body.Length} bytes; app at {app.BaseAddress}, bare app at {bareBase}.");
            foreach (var (level, index) in levels.Select((l, i) => (l, i)))
            {
                using var appHttp = HttpClients.Create(app.BaseAddress, level);
                using var bareHttp = HttpClients.Create(bareBase, level);
                var targets = new[] { ("host + worker", appHttp), ("bare app", bareHttp) };
                var measured = new Dictionary<string, LoadResult>();
                foreach (var (name, http) in index % 2 == 0 ? targets : targets.Reverse())
                {
                    await LoadRunner.RunAsync(name, level, TimeSpan.FromSeconds(warmup), ct => GetAsync(http, ct), CancellationToken.None);
                    var result = await LoadRunner.RunAsync(name, level, TimeSpan.FromSeconds(seconds), ct => GetAsync(http, ct), CancellationToken.None);
                    log.WriteLine(result.Summary);
                    measured[name] = result;
                }

                results.Add((measured["host + worker"], measured["bare app"]));
                if (app.Process.HasExited)
                {
                    log.WriteLine("The host exited; its last output:" + Environment.NewLine + app.Output);
                    break;
                }
            }

            appRss = Machine.PeakRssMiB(app.Process.Id);
            bareRss = Machine.PeakRssMiB(bare.Id);
        }
        finally
        {
            await emulators.DisposeAsync();
            File.Delete(plansFile);
        }

        var report = new StringBuilder();
        report.AppendLine(Machine.Invariant($"forwarding, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Machine.Describe()}; load average {loadBefore} before, {Machine.LoadAverage()} after; {warmup} s warm-up + {seconds} s measured per target and level"));
        report.AppendLine();
        report.AppendLine("| concurrency | host + worker (req/s) | bare app (req/s) | **throughput ratio** | host p50 / p99 (ms) | bare p50 / p99 (ms) | **p50 ratio** | **p99 ratio** | errors (host / bare) |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var (app, bare) in results)
        {
            report.AppendLine(Machine.Invariant(
                $"| {app.Concurrency} | {app.Throughput:0} | {bare.Throughput:0} | **{Machine.Ratio(app.Throughput, bare.Throughput)}** | {LoadResult.Ms(app.Latency?.P50)} / {LoadResult.Ms(app.Latency?.P99)} | {LoadResult.Ms(bare.Latency?.P50)} / {LoadResult.Ms(bare.Latency?.P99)} | **{Machine.Ratio(app.Latency?.P50.TotalMilliseconds ?? 0, bare.Latency?.P50.TotalMilliseconds ?? 0)}** | **{Machine.Ratio(app.Latency?.P99.TotalMilliseconds ?? 0, bare.Latency?.P99.TotalMilliseconds ?? 0)}** | {app.Failed} / {bare.Failed} |"));
        }

        report.AppendLine();
        report.AppendLine(Machine.Invariant($"Peak RSS after the {levels[^1]}-caller level (sum of VmHWM over the process tree): host + worker {appRss:0} MiB, bare app {bareRss:0} MiB."));
        Console.Out.Write(report.ToString());
        return results.Any(r => r.App.Failed + r.Bare.Failed > 0) ? 1 : 0;
    }

    private static async Task<string?> GetAsync(HttpClient http, CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(Plans, cancellationToken);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        return response.IsSuccessStatusCode && content.Length > 0 ? null : $"HTTP {(int)response.StatusCode}";
    }
}
