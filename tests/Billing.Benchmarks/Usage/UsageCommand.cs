using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Billing.Application.Outcomes;
using Billing.Application.Usage;
using Billing.Benchmarks.Load;
using Billing.Cosmos.Configuration;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;

namespace Billing.Benchmarks.Usage;

/// <summary>
/// <c>usage [--seconds S] [--warmup-seconds W] [--rounds R] [--levels 1,8,64]</c>: usage recording under load, each call
/// one unit of the hard-limited meter <c>agent_runs</c> with a new idempotency key, on FREE accounts whose limit is raised
/// so that no call is refused (the conditional patch and its filter predicate run every time). Three targets per level:
/// <list type="bullet">
/// <item><b>app</b>: <c>POST /api/usage</c> (service API key) through the local host and its isolated worker;</item>
/// <item><b>in-process service</b>: the app's own <see cref="UsageRecording"/>, composed in this process as the worker
/// composes it, with a metered Cosmos client: the same Cosmos operations without HTTP, host or worker;</item>
/// <item><b>direct patch</b> (the baseline): a counter's conditional increment alone (the one point write the issue
/// names as the common path), through the Cosmos SDK with the app's client options, on the same counters documents.</item>
/// </list>
/// Each level runs with one account per caller (spread) and, above one caller, with every caller on one account (one
/// counters document under contention). First 20 s of each target at the highest level, unmeasured; then per level and
/// case: W s warm-up of each target, then R rounds of S s per target, alternating. Cosmos requests and request charge
/// per call are summed from the SDK's responses (in-process service and direct patch). Peak RSS of host + worker after
/// the last level.
/// </summary>
internal static class UsageCommand
{
    private const string Meter = "agent_runs";
    private const string Plan = "FREE";
    private const long Limit = 1_000_000_000;

    /// <summary>FREE is Plans[0] of the app's appsettings.Development.json; its agent_runs quota is a hard limit.</summary>
    private const string LimitSetting = "Billing__Catalog__Plans__0__Meters__" + Meter + "__Quota";

    private const int JitWarmupSeconds = 20;
    private static readonly Uri UsagePath = new("api/usage", UriKind.Relative);
    private static readonly Uri CheckPath = new("api/usage/check", UriKind.Relative);

    /// <summary>"The counter leaves room for one more unit under this limit": the filter of the baseline's conditional patch.</summary>
    private static readonly PatchItemRequestOptions LimitedPatch = new()
    {
        FilterPredicate = string.Create(CultureInfo.InvariantCulture, $"FROM c WHERE NOT IS_DEFINED(c.counters.{Meter}) OR c.counters.{Meter} <= {Limit - 1}"),
    };

    public static async Task<int> RunAsync(string[] arguments)
    {
        var options = LoadOptions.Parse("usage", arguments, new LoadOptions(Seconds: 10, WarmupSeconds: 3, Rounds: 2, Levels: [1, 8, 64]));
        var log = Console.Error;
        var loadBefore = Machine.LoadAverage();
        var emulators = await LocalEmulators.GetAsync(closeConnections: true); // the conditions of every run in docs/benchmarks.md §5
        var storePid = emulators.CosmosServerProcessId ?? throw new InvalidOperationException("The usage benchmark starts a Cosmos server of its own (connection: close) and measures its CPU.");
        var rows = new List<Row>();
        var mostKeysPerRun = 0;
        var allCharges = default(RequestCharges);
        double? peakRss;
        try
        {
            using var stripeDown = FreePort.Refusing(); // these calls never reach Stripe
            var settings = Processes.AppSettings(emulators, stripeDown.Url);
            settings[LimitSetting] = Limit.ToString(CultureInfo.InvariantCulture);
            await using var app = await FunctionAppProcess.StartAsync(settings);
            var meter = new RequestChargeMeter();
            using var cosmos = meter.CreateClient(emulators.CosmosConnectionString);
            using var inProcess = InProcessApp.Build(settings, cosmos);
            var recording = inProcess.Services.GetRequiredService<UsageRecording>();
            var container = cosmos.GetContainer(settings["Billing__Cosmos__DatabaseName"]!, new CosmosOptions().AccountsContainerName);

            var run = Guid.NewGuid().ToString("N")[..8];
            var spread = Enumerable.Range(0, options.Levels.Max()).Select(i => string.Create(CultureInfo.InvariantCulture, $"bench-{run}-{i}")).ToArray();
            var single = $"bench-{run}-one";
            Dictionary<string, BenchAccount> accounts;
            using (var setup = HttpClients.Create(app.BaseAddress, 8))
            {
                accounts = await PrepareAccountsAsync(setup, recording, container, [.. spread, single]);
            }

            await DeleteKeysAsync(container);
            meter.Take();
            log.WriteLine($"App at {app.BaseAddress}; {accounts.Count} FREE accounts, {Meter} hard limit {Limit:N0}; database {settings["Billing__Cosmos__DatabaseName"]}.");

            // A just-started worker keeps recompiling its hot path (tier 1) under its first ~30 s of load, so the level
            // measured first paid for it in its app row (1 caller: 0.43-0.62x in 1-round probes, 0.65-0.79x in 2-round
            // runs). Every target runs once at the highest level, unmeasured, before any level is.
            using (var http = HttpClients.Create(app.BaseAddress, options.Levels.Max()))
            {
                foreach (var target in Targets(http, recording, container, caller => accounts[spread[caller]]))
                {
                    var warm = await LoadRunner.RunAsync(target.Name, options.Levels.Max(), TimeSpan.FromSeconds(JitWarmupSeconds), target.Operation, CancellationToken.None);
                    log.WriteLine("first warm-up " + warm.Summary);
                    mostKeysPerRun = Math.Max(mostKeysPerRun, await DeleteKeysAsync(container));
                }

                meter.Take();
            }

            foreach (var (level, index) in options.Levels.Select((l, i) => (l, i)))
            {
                using var http = HttpClients.Create(app.BaseAddress, level);
                bool[] cases = level == 1 ? [false] : [false, true];
                foreach (var oneAccount in cases)
                {
                    Func<int, BenchAccount> accountOf = oneAccount ? _ => accounts[single] : caller => accounts[spread[caller]];
                    var targets = Targets(http, recording, container, accountOf);
                    var charges = targets.ToDictionary(t => t.Name, _ => default(RequestCharges));
                    var cpu = targets.ToDictionary(t => t.Name, _ => default(CpuTimes));
                    log.WriteLine($"{level} caller(s), {(oneAccount ? "one account" : "one account per caller")}:");
                    var runStarted = Machine.SampleCpu(app.Process.Id, storePid);
                    var results = await LoadRounds.RunAsync(targets, level, options, reverseFirst: index % 2 == 1, log, async (result, measured) =>
                    {
                        var used = meter.Take();
                        var spent = Machine.SampleCpu(app.Process.Id, storePid) - runStarted;
                        if (measured)
                        {
                            charges[result.Name] += used;
                            cpu[result.Name] += spent;
                        }

                        mostKeysPerRun = Math.Max(mostKeysPerRun, await DeleteKeysAsync(container));
                        meter.Take(); // the clean-up's own requests
                        runStarted = Machine.SampleCpu(app.Process.Id, storePid); // the clean-up's own CPU is not the next run's
                    });
                    rows.Add(new Row(oneAccount, results[0], results[1], results[2], charges[targets[1].Name], charges[targets[2].Name], [.. targets.Select(t => cpu[t.Name])]));
                    allCharges += charges[targets[1].Name] + charges[targets[2].Name];
                }

                if (app.Process.HasExited)
                {
                    log.WriteLine("The host exited; its last output:" + Environment.NewLine + app.Output);
                    break;
                }
            }

            peakRss = Machine.PeakRssMiB(app.Process.Id);
        }
        finally
        {
            await emulators.DisposeAsync();
        }

        Console.Out.Write(Report(options, loadBefore, rows, allCharges, mostKeysPerRun, peakRss));
        return rows.Any(r => r.App.Failed + r.InProcess.Failed + r.Direct.Failed > 0) ? 1 : 0;
    }

    /// <summary>The three targets compared, in the order of the report's columns: app, in-process service, direct patch.</summary>
    private static LoadTarget[] Targets(HttpClient http, UsageRecording recording, Container container, Func<int, BenchAccount> accountOf) =>
        [AppTarget(http, accountOf), InProcessTarget(recording, accountOf), DirectTarget(container, accountOf)];

    private static LoadTarget AppTarget(HttpClient http, Func<int, BenchAccount> accountOf) =>
        new("app", async (caller, ct) =>
        {
            using var response = await ServiceCallAsync(http, HttpMethod.Post, UsagePath, Record(accountOf(caller).Id), ct);
            return response.StatusCode == HttpStatusCode.OK ? null : await FailureAsync(response, ct);
        });

    private static LoadTarget InProcessTarget(UsageRecording recording, Func<int, BenchAccount> accountOf) =>
        new("in-process service", async (caller, ct) =>
            await recording.RecordAsync(new UsageRecordRequest(accountOf(caller).Id, Meter, 1, NewKey(), null), ct) switch
            {
                Succeeded<RecordedUsage> => null,
                Refused<RecordedUsage> refused => $"refused: {refused.Refusal.Reason} {refused.Refusal.Detail}",
                var other => other.ToString(),
            });

    /// <summary>The baseline: one conditional increment of the meter's counter with updatedAt and plan, as a counters document is kept.</summary>
    private static LoadTarget DirectTarget(Container container, Func<int, BenchAccount> accountOf) =>
        new("direct patch", async (caller, ct) =>
        {
            var account = accountOf(caller);
            PatchOperation[] operations =
            [
                PatchOperation.Increment("/counters/" + Meter, 1L),
                PatchOperation.Set("/updatedAt", DateTimeOffset.UtcNow),
                PatchOperation.Set("/plan", Plan),
            ];
            using var response = await container.PatchItemStreamAsync(account.UsageDocumentId, new PartitionKey(account.Id), operations, LimitedPatch, ct);
            return response.StatusCode == HttpStatusCode.OK ? null : $"Cosmos {(int)response.StatusCode} {response.StatusCode}";
        });

    /// <summary>
    /// Registers the accounts (201) and records one unit for each through the app, which creates the period's counters
    /// document (so every measured call takes the steady path: the patch finds its document); checks that the raised
    /// hard limit is in force in the app and in this process's composition; returns each account's counters document.
    /// </summary>
    private static async Task<Dictionary<string, BenchAccount>> PrepareAccountsAsync(HttpClient http, UsageRecording recording, Container container, IReadOnlyList<string> ids)
    {
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, ct) =>
        {
            using (var registered = await ServiceCallAsync(http, HttpMethod.Put, new Uri("api/accounts/" + Uri.EscapeDataString(id), UriKind.Relative), null, ct))
            {
                if (registered.StatusCode != HttpStatusCode.Created)
                {
                    throw new InvalidOperationException($"PUT /api/accounts/{id}: {await FailureAsync(registered, ct)}");
                }
            }

            using var recorded = await ServiceCallAsync(http, HttpMethod.Post, UsagePath, Record(id), ct);
            if (recorded.StatusCode != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"POST /api/usage for {id}: {await FailureAsync(recorded, ct)}");
            }
        });

        using (var check = await ServiceCallAsync(http, HttpMethod.Post, CheckPath, $$"""{"accountId":"{{ids[0]}}","meter":"{{Meter}}","quantity":1}""", CancellationToken.None))
        {
            using var answer = JsonDocument.Parse(await check.Content.ReadAsStringAsync());
            if (!answer.RootElement.TryGetProperty("hardLimit", out var hard) || !hard.GetBoolean() || answer.RootElement.GetProperty("limit").GetInt64() != Limit)
            {
                throw new InvalidOperationException($"The app does not apply a hard limit of {Limit} to {Meter} (is FREE still Plans[0]?): {answer.RootElement}");
            }
        }

        if (await recording.CheckAsync(new UsageCheckRequest(ids[0], Meter, 1), CancellationToken.None) is not Succeeded<UsageCheck> { Value: { HardLimit: true, Limit: Limit } })
        {
            throw new InvalidOperationException($"The in-process composition does not apply a hard limit of {Limit} to {Meter}.");
        }

        var counters = await QueryAsync(container, "SELECT c.id, c.accountId FROM c WHERE c.type = 'usage'");
        var accounts = counters.Where(d => ids.Contains(d.AccountId)).ToDictionary(d => d.AccountId, d => new BenchAccount(d.AccountId, d.Id));
        return accounts.Count == ids.Count
            ? accounts
            : throw new InvalidOperationException($"Found the counters document of {accounts.Count} of {ids.Count} accounts.");
    }

    /// <summary>
    /// Deletes every idempotency key document; returns how many there were. The local Cosmos server checks a patch's
    /// filter predicate by running it as a query over the documents of the patched document's partition (over every
    /// document of the container until 2026-12-07, and in time that grew with their square: ~0.3 ms at 1 document,
    /// ~1.7 at 1,000, ~30 at 4,000), so each key a run leaves in an account's partition slows every later conditional
    /// patch of that account. Cosmos DB evaluates the predicate on the one document; clearing the keys after each run
    /// keeps the local container at its starting size for the next run, whichever target it is.
    /// </summary>
    private static async Task<int> DeleteKeysAsync(Container container)
    {
        var keys = await QueryAsync(container, "SELECT c.id, c.accountId FROM c WHERE c.type = 'usageKey'");
        await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (key, ct) =>
        {
            using var response = await container.DeleteItemStreamAsync(key.Id, new PartitionKey(key.AccountId), cancellationToken: ct);
            if (response.StatusCode != HttpStatusCode.NotFound)
            {
                response.EnsureSuccessStatusCode();
            }
        });
        return keys.Count;
    }

    private static async Task<List<StoredId>> QueryAsync(Container container, string query)
    {
        var found = new List<StoredId>();
        using var feed = container.GetItemQueryIterator<StoredId>(new QueryDefinition(query));
        while (feed.HasMoreResults)
        {
            found.AddRange(await feed.ReadNextAsync());
        }

        return found;
    }

    private static async Task<HttpResponseMessage> ServiceCallAsync(HttpClient http, HttpMethod method, Uri path, string? json, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Add(ServiceCredentials.ApiKeyHeader, ServiceCredentials.ApiKey);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }

    private static async Task<string> FailureAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var answer = (await response.Content.ReadAsStringAsync(cancellationToken)).ReplaceLineEndings(" ");
        return $"HTTP {(int)response.StatusCode} {response.StatusCode} {(answer.Length <= 160 ? answer : answer[..160] + "...")}";
    }

    private static string Record(string accountId) =>
        $$"""{"accountId":"{{accountId}}","meter":"{{Meter}}","quantity":1,"idempotencyKey":"{{NewKey()}}"}""";

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static string Report(LoadOptions options, string loadBefore, IReadOnlyList<Row> rows, RequestCharges allCharges, int mostKeysPerRun, double? peakRss)
    {
        var report = new StringBuilder();
        report.AppendLine(Machine.Invariant($"usage, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Machine.Describe()}; load average {loadBefore} before, {Machine.LoadAverage()} after; {JitWarmupSeconds} s first warm-up of each target at {options.Levels.Max()} callers; {options.WarmupSeconds} s warm-up, then {options.Rounds} x {options.Seconds} s per target, level and case, alternating"));
        report.AppendLine();
        report.AppendLine("| case | callers | app (calls/s) | in-process service (calls/s) | direct patch (op/s) | **app / direct** | in-process / direct | p50 ms app / in-process / direct | p99 ms app / in-process / direct | CPU ms per call: app (benchmark + host + worker) / in-process / direct | Cosmos server CPU ms per call: app / in-process / direct | Cosmos requests per call: app path / direct | RU per call reported by the local server: app path / direct | errors |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows.OrderBy(r => r.OneAccount).ThenBy(r => r.App.Concurrency))
        {
            var (app, service, direct) = (row.App, row.InProcess, row.Direct);
            report.AppendLine(Machine.Invariant(
                $"| {(row.OneAccount ? "one account (all callers)" : "spread (1 account per caller)")} | {app.Concurrency} | {app.Throughput:0.0} | {service.Throughput:0.0} | {direct.Throughput:0.0} | **{Machine.Ratio(app.Throughput, direct.Throughput)}** | {Machine.Ratio(service.Throughput, direct.Throughput)} | {LoadResult.Ms(app.Latency?.P50)} / {LoadResult.Ms(service.Latency?.P50)} / {LoadResult.Ms(direct.Latency?.P50)} | {LoadResult.Ms(app.Latency?.P99)} / {LoadResult.Ms(service.Latency?.P99)} / {LoadResult.Ms(direct.Latency?.P99)} | {CpuPerCall(row.Cpu[0], app, breakdown: true)} / {CpuPerCall(row.Cpu[1], service, breakdown: false)} / {CpuPerCall(row.Cpu[2], direct, breakdown: false)} | {StoreCpuPerCall(row.Cpu[0], app)} / {StoreCpuPerCall(row.Cpu[1], service)} / {StoreCpuPerCall(row.Cpu[2], direct)} | {PerCall(row.ServiceCharges.Requests, service)} / {PerCall(row.DirectCharges.Requests, direct)} | {PerCall(row.ServiceCharges.Charge, service)} / {PerCall(row.DirectCharges.Charge, direct)} | {app.Failed} / {service.Failed} / {direct.Failed} |"));
        }

        report.AppendLine();
        report.AppendLine("- Cosmos requests and RU of the app path are those of the in-process service (the same UsageRecording and Cosmos adapters, counted on this process's client); the worker's own client is not instrumented.");
        report.AppendLine("- CPU ms per call: CPU time the benchmark process, the local host and its worker used during a target's measured rounds, over its calls (from /proc, all three processes for every target). Cosmos server CPU ms per call: the local Cosmos server's own CPU time (one Node.js thread) over the same rounds and calls; it serves only this command.");
        report.AppendLine(Machine.Invariant($"- The local server reported {Machine.Ratio(allCharges.Charge, allCharges.Requests)} RU per request on average ({allCharges.Requests} requests): its charges count requests, they are not Cosmos DB's RU."));
        report.AppendLine(Machine.Invariant($"- Idempotency key documents deleted after each run (local server artefact, see the command): at most {mostKeysPerRun} per run."));
        report.AppendLine(Machine.Invariant($"- Peak RSS after the last level (sum of VmHWM over the host and its worker): {peakRss:0} MiB."));
        foreach (var failed in rows.SelectMany(r => new[] { r.App, r.InProcess, r.Direct }).Where(r => r.FirstError is not null))
        {
            report.AppendLine($"- {failed.Name} c={failed.Concurrency}: first error `{failed.FirstError}`.");
        }

        return report.ToString();
    }

    private static string PerCall(double total, LoadResult result) =>
        result.Samples.Count > 0 ? (total / result.Samples.Count).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    private static string CpuPerCall(CpuTimes cpu, LoadResult result, bool breakdown)
    {
        if (result.Samples.Count == 0)
        {
            return "-";
        }

        string Ms(TimeSpan time) => (time.TotalMilliseconds / result.Samples.Count).ToString("0.00", CultureInfo.InvariantCulture);
        return breakdown ? $"{Ms(cpu.Benchmark)} + {Ms(cpu.Host)} + {Ms(cpu.Worker)} = {Ms(cpu.Total)}" : Ms(cpu.Total);
    }

    private static string StoreCpuPerCall(CpuTimes cpu, LoadResult result) =>
        result.Samples.Count > 0 ? (cpu.Store.TotalMilliseconds / result.Samples.Count).ToString("0.00", CultureInfo.InvariantCulture) : "-";

    /// <summary>A benchmark account and its counters document of the current period.</summary>
    private sealed record BenchAccount(string Id, string UsageDocumentId);

    private sealed record StoredId(string Id, string AccountId);

    /// <summary>One level and case; <paramref name="Cpu"/>: CPU spent in the measured rounds of app, in-process service and direct patch, in that order.</summary>
    private sealed record Row(bool OneAccount, LoadResult App, LoadResult InProcess, LoadResult Direct, RequestCharges ServiceCharges, RequestCharges DirectCharges, IReadOnlyList<CpuTimes> Cpu);
}
