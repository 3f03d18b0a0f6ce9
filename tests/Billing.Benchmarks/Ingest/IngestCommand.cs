using System.Globalization;
using Billing.Benchmarks.Events;

namespace Billing.Benchmarks.Ingest;

/// <summary>
/// <c>ingest</c>: webhook ingest throughput and latency next to the same server's bare endpoint, measured in the same run
/// in alternating rounds. Prints progress to stderr and the markdown report to stdout (and to <c>--out</c>).
/// Exit codes: 0 all requests succeeded; 1 the report is complete but some requests failed or the run stopped early;
/// 2 bad options; 3 the server could not be started or reached.
/// </summary>
internal static class IngestCommand
{
    public static async Task<int> RunAsync(string[] arguments)
    {
        IngestOptions options;
        try
        {
            options = IngestOptions.Parse(arguments);
        }
        catch (ArgumentException exception)
        {
            await Console.Error.WriteLineAsync(exception.Message + Environment.NewLine + IngestOptions.Help);
            return 2;
        }

        using var interrupted = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true; // stop cleanly: the server and emulators this run started are stopped below
            interrupted.Cancel();
        };

        var log = Console.Error;
        var clock = TimeProvider.System;
        var startedAt = clock.GetUtcNow();
        var bodies = StripeEventBodies.Load();
        var measured = CreateBodies(bodies, options.Events, clock);
        log.WriteLine($"Bodies: customer.subscription.updated, {measured[0].Length:N0} bytes, from {bodies.Source}.");
        var loadBefore = LoadAverage();

        IngestTarget target;
        try
        {
            target = await IngestTarget.StartAsync(options, log);
        }
        catch (Exception exception) when (exception is InvalidOperationException or TimeoutException or FileNotFoundException
                                              or System.ComponentModel.Win32Exception or Azure.RequestFailedException or HttpRequestException)
        {
            await log.WriteLineAsync("Could not start the server under test: " + exception.Message);
            return 3;
        }

        await using (target)
        {
            using var http = CreateClient(target.BaseAddress, options.Concurrency);
            var health = await target.CheckHealthAsync(http, interrupted.Token);
            log.WriteLine($"Server: {target.BaseAddress} ({health}).");
            var sender = new WebhookSender(http, target.Secret, options.RequestTimeout, clock);
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(interrupted.Token);
            budget.CancelAfter(options.MaxDuration);

            var bare = new EndpointMeasurement(LoadEndpoint.Bare);
            var ingest = new EndpointMeasurement(LoadEndpoint.Ingest(options.IngestPath));
            var rounds = 0;
            var warmupIngestSucceeded = 0;
            var warmupSent = new Dictionary<string, int>();
            try
            {
                foreach (var endpoint in options.WarmupRequests > 0 ? new[] { ingest.Endpoint, bare.Endpoint } : [])
                {
                    var warmupStarted = clock.GetTimestamp();
                    var (sent, succeeded) = (0, 0);
                    string? firstError = null;
                    do
                    {
                        // Fresh events every batch: a repeated event id would take the ingest's duplicate path.
                        var result = await BatchRunner.RunAsync(sender, endpoint, CreateBodies(bodies, options.WarmupRequests, clock), options.Concurrency, budget.Token, interrupted.Token);
                        (sent, succeeded) = (sent + result.Samples.Count, succeeded + result.Succeeded);
                        firstError ??= FirstError(result);
                    }
                    while (clock.GetElapsedTime(warmupStarted) < options.WarmupDuration && !budget.IsCancellationRequested);

                    log.WriteLine($"warm-up: {endpoint.Name} {sent} sent, {succeeded} ok, {sent - succeeded} failed in {clock.GetElapsedTime(warmupStarted).TotalSeconds:0.0} s{firstError}");
                    warmupIngestSucceeded += endpoint.IsIngest ? succeeded : 0;
                    warmupSent[endpoint.Name] = sent;
                }

                foreach (var (round, slice) in Slices(measured, options.Rounds).Index())
                {
                    if (budget.IsCancellationRequested || ServerExited(target))
                    {
                        break;
                    }

                    var order = round % 2 == 0 ? new[] { ingest, bare } : [bare, ingest];
                    var line = $"round {round + 1}/{options.Rounds}:";
                    foreach (var measurement in order)
                    {
                        var result = await BatchRunner.RunAsync(sender, measurement.Endpoint, slice, options.Concurrency, budget.Token, interrupted.Token);
                        measurement.Add(result);
                        line += $" {result.Summary};";
                    }

                    rounds++;
                    log.WriteLine(line.TrimEnd(';'));
                }
            }
            catch (OperationCanceledException) when (interrupted.IsCancellationRequested)
            {
                // reported below as an early stop
            }

            var run = new IngestRun
            {
                Options = options,
                StartedAt = startedAt,
                Target = target.Description,
                BodySource = bodies.Source,
                BodyBytes = measured[0].Length,
                Health = health,
                Bare = bare,
                Ingest = ingest,
                RoundsCompleted = rounds,
                WarmupIngestSucceeded = warmupIngestSucceeded,
                WarmupSent = warmupSent.Count == 0 ? "no warm-up" : string.Join(" and ", warmupSent.Select(w => $"{w.Value} requests to {w.Key}")),
                StoppedEarly = StopReason(options, interrupted, budget, target, bare, ingest),
                Queue = await target.DescribeQueueAsync(CancellationToken.None),
                LoadBefore = loadBefore,
                LoadAfter = LoadAverage(),
            };

            var report = IngestReport.ToMarkdown(run);
            Console.Out.WriteLine();
            Console.Out.Write(report);
            if (options.OutFile is { } outFile)
            {
                MarkdownSection.Write(outFile, IngestReport.BeginMarker, IngestReport.EndMarker, report);
                log.WriteLine($"Report written into {Path.GetFullPath(outFile)}.");
            }

            if (target.App is { Process.HasExited: true } app)
            {
                log.WriteLine("The function app exited during the run; its last output:" + Environment.NewLine + app.Output);
            }

            return run.HasErrors ? 1 : 0;
        }
    }

    private static List<byte[]> CreateBodies(StripeEventBodies bodies, int count, TimeProvider clock) =>
        Enumerable.Range(0, count).Select(_ => bodies.SubscriptionUpdated(StripeEventBodies.NewEventId(), clock.GetUtcNow())).ToList();

    private static IEnumerable<IReadOnlyList<byte[]>> Slices(IReadOnlyList<byte[]> bodies, int rounds)
    {
        for (var round = 0; round < rounds; round++)
        {
            var from = bodies.Count * round / rounds;
            var to = bodies.Count * (round + 1) / rounds;
            yield return bodies.Skip(from).Take(to - from).ToList();
        }
    }

    private static HttpClient CreateClient(Uri baseAddress, int concurrency) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = baseAddress,
            Timeout = Timeout.InfiniteTimeSpan, // each request has its own timeout (WebhookSender)
        };

    private static bool ServerExited(IngestTarget target) => target.App is { Process.HasExited: true };

    private static string? StopReason(IngestOptions options, CancellationTokenSource interrupted, CancellationTokenSource budget, IngestTarget target, EndpointMeasurement bare, EndpointMeasurement ingest)
    {
        if (bare.Requests == options.Events && ingest.Requests == options.Events)
        {
            return null;
        }

        var sent = string.Create(CultureInfo.InvariantCulture, $"{ingest.Requests} of {options.Events} ingest and {bare.Requests} of {options.Events} bare requests sent");
        return interrupted.IsCancellationRequested ? $"interrupted (Ctrl+C); {sent}"
            : ServerExited(target) ? $"the function app exited; {sent}"
            : budget.IsCancellationRequested ? string.Create(CultureInfo.InvariantCulture, $"the time budget of {options.MaxDuration.TotalSeconds:0} s was spent; {sent}")
            : sent;
    }

    private static string? FirstError(BatchResult result) =>
        result.Samples.FirstOrDefault(s => !s.Succeeded) is { Error: { } error } sample ? $" (first failure: {error}: {sample.Detail})" : null;

    /// <summary>The 1/5/15-minute load averages on Linux (a measure of how shared the machine was), else null.</summary>
    private static string? LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(" / ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : null;
        }
        catch (IOException)
        {
            return null;
        }
    }
}
