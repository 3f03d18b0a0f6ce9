using System.Globalization;
using System.Text;
using Billing.Application.Accounts;
using Billing.Application.Usage;
using Billing.Benchmarks.Load;
using Billing.Benchmarks.Usage;
using Billing.Domain.Accounts;
using Billing.Domain.Metering;
using Billing.Domain.Plans;
using Billing.Domain.Subscriptions;
using Billing.TestSupport;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.DependencyInjection;
using Stripe;
using Stripe.Checkout;

namespace Billing.Benchmarks.Invoicing;

/// <summary>
/// <c>invoicing [--accounts 200,2000] [--rps 20] [--timeout-minutes 40]</c>: a monthly invoicing run over N accounts,
/// end to end against the emulators, the timer included. Per size: N PRO subscribers made in the Stripe emulator (a
/// customer and a Checkout Session paid on the emulator, which creates the subscription) and stored as the webhooks
/// would store them, through the app's own ports; a usage period per account that has just closed, with 5,100 agent
/// runs (100 beyond the 5,000 included: one 200-cent line) for 9 accounts in 10 and 4,000 (nothing to bill) for the
/// 10th; then the function app is started with <c>MONTHLY_INVOICING_SCHEDULE</c> set to fire once, 20 s later, and the
/// command waits until every run is recorded or has nothing to bill. The app's Stripe base is a counting proxy in front
/// of the emulator (<see cref="StripeRequestCounter"/>): Stripe requests per second are counted where Stripe would see
/// them and set against the configured budget (<c>Stripe__RequestsPerSecond</c>).
/// </summary>
internal static class InvoicingCommand
{
    private const string Price = "price_pro_monthly";
    private static readonly MeterName AgentRuns = MeterName.Parse("agent_runs");
    private static readonly PlanCode Pro = PlanCode.Parse("PRO");

    public static async Task<int> RunAsync(string[] arguments)
    {
        var (sizes, rps, timeout) = Parse(arguments);
        var log = Console.Error;
        var loadBefore = Machine.LoadAverage();
        var emulators = await LocalEmulators.GetAsync();
        var rows = new List<Row>();
        try
        {
            await using var stripe = await StripeEmulatorProcess.StartAsync();
            await using var counter = await StripeRequestCounter.StartAsync(stripe.ApiBase);
            var settings = Processes.AppSettings(emulators, counter.BaseAddress);
            settings["Stripe__RequestsPerSecond"] = rps.ToString(CultureInfo.InvariantCulture);
            settings["MONTHLY_INVOICING_SCHEDULE"] = "0 0 0 1 1 *";
            await using (await FunctionAppProcess.StartAsync(settings))
            {
                // Started once first: in Development the app provisions its Cosmos database, containers and queues.
            }

            var meter = new RequestChargeMeter();
            using var cosmos = meter.CreateClient(emulators.CosmosConnectionString);
            using var ports = InProcessApp.Build(settings, cosmos);
            var container = cosmos.GetContainer(settings["Billing__Cosmos__DatabaseName"]!, new Billing.Cosmos.Configuration.CosmosOptions().AccountsContainerName);
            var client = StripeClientFor(stripe.ApiBase);
            var run = Guid.NewGuid().ToString("N")[..6];
            foreach (var size in sizes)
            {
                var prefix = string.Create(CultureInfo.InvariantCulture, $"inv-{run}-{size}-");
                log.WriteLine($"{size} accounts: subscribing them in the Stripe emulator...");
                var setupClock = System.Diagnostics.Stopwatch.StartNew();
                var billable = await SeedAsync(client, stripe, ports.Services, prefix, size, log);
                log.WriteLine(Machine.Invariant($"{size} accounts seeded in {setupClock.Elapsed.TotalSeconds:0} s ({billable} with overage)."));

                var before = counter.Requests.Count;
                var (app, fireAt) = await StartWithTimerAsync(settings, log);
                await using (app)
                {
                    log.WriteLine($"App at {app.BaseAddress}; the timer fires at {fireAt:HH:mm:ss} UTC.");
                    var done = await WaitForRunsAsync(container, prefix, size, fireAt + timeout, log);
                    var stripeRequests = counter.Requests.Skip(before).Where(r => r.At >= fireAt).ToList();
                    rows.Add(new Row(size, billable, fireAt, done, stripeRequests, Machine.LoadAverage()));
                    if (done.Count < size)
                    {
                        log.WriteLine("Not every run finished; the host's last output:" + Environment.NewLine + app.Output);
                    }
                }
            }
        }
        finally
        {
            await emulators.DisposeAsync();
        }

        Console.Out.Write(Report(rps, loadBefore, rows));
        return rows.All(r => r.Finished.Count == r.Accounts) ? 0 : 1;
    }

    /// <summary>
    /// Starts the app with the invoicing timer set to fire once, 45 s ahead; a start slower than that (a loaded machine)
    /// would miss the occurrence (no past-due run on a first start), so the app is started again with a later time.
    /// </summary>
    private static async Task<(FunctionAppProcess App, DateTimeOffset FireAt)> StartWithTimerAsync(Dictionary<string, string?> settings, TextWriter log)
    {
        while (true)
        {
            var fireAt = DateTimeOffset.UtcNow.AddSeconds(45);
            fireAt = new DateTimeOffset(fireAt.Year, fireAt.Month, fireAt.Day, fireAt.Hour, fireAt.Minute, fireAt.Second, TimeSpan.Zero);
            settings["MONTHLY_INVOICING_SCHEDULE"] = string.Create(CultureInfo.InvariantCulture, $"{fireAt.Second} {fireAt.Minute} {fireAt.Hour} * * *");
            var app = await FunctionAppProcess.StartAsync(settings);
            if (DateTimeOffset.UtcNow < fireAt.AddSeconds(-3))
            {
                return (app, fireAt);
            }

            log.WriteLine($"The app started after {fireAt:HH:mm:ss}, the timer's time; starting it again.");
            await app.DisposeAsync();
        }
    }

    /// <summary>Subscribers in the emulator (customer, Checkout paid there), their accounts and one closed usage period each; returns how many have overage.</summary>
    private static async Task<int> SeedAsync(StripeClient client, StripeEmulatorProcess stripe, IServiceProvider services, string prefix, int size, TextWriter log)
    {
        var accounts = services.GetRequiredService<IBillingAccountStore>();
        var usage = services.GetRequiredService<IUsageLedger>();
        var periodEnd = DateTimeOffset.UtcNow;
        var period = UsagePeriod.SubscriptionPeriod(periodEnd.AddMonths(-1), periodEnd);
        var billable = 0;
        var seeded = 0;
        await Parallel.ForAsync(0, size, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            var accountId = AccountId.Parse(string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D5}"));
            var metadata = new Dictionary<string, string> { ["account_id"] = accountId.Value };
            var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Email = $"{accountId.Value}@example.com", Metadata = metadata }, cancellationToken: ct);
            var session = await client.V1.Checkout.Sessions.CreateAsync(
                new SessionCreateOptions
                {
                    Mode = "subscription",
                    Customer = customer.Id,
                    LineItems = [new SessionLineItemOptions { Price = Price, Quantity = 1 }],
                    ClientReferenceId = accountId.Value,
                    Metadata = metadata,
                    SubscriptionData = new SessionSubscriptionDataOptions { Metadata = metadata },
                    SuccessUrl = "https://app.example.com/billing?session={CHECKOUT_SESSION_ID}",
                },
                cancellationToken: ct);
            await stripe.ControlAsync($"/_emulator/checkout/sessions/{session.Id}/complete", new Dictionary<string, string> { ["payment_method"] = "succeeding" });
            var subscriptionId = (await client.V1.Checkout.Sessions.GetAsync(session.Id, cancellationToken: ct)).SubscriptionId;

            // What the checkout's webhooks store: the customer and the active subscription, its period the one that closed.
            await accounts.GetOrCreateAsync(accountId, ct);
            await accounts.UpdateAsync(accountId, a => a with
            {
                StripeCustomerId = customer.Id,
                Subscription = new SubscriptionState
                {
                    SubscriptionId = subscriptionId,
                    CustomerId = customer.Id,
                    Status = SubscriptionStatus.Active,
                    PlanCode = Pro,
                    PriceId = Price,
                    CurrentPeriodStart = period.Start,
                    CurrentPeriodEnd = period.End,
                    StripeStateAsOf = DateTimeOffset.UtcNow,
                },
            }, ct);
            var overage = i % 10 != 9;
            var consumption = new UsageConsumption(accountId, period, AgentRuns, overage ? 5_100 : 4_000, null, Pro, 5_000);
            await usage.RecordAsync(UsageRecord.Of(consumption, "seed", period.Start, period.Start, TimeSpan.FromDays(45), accountVersion: null), ct);
            if (overage)
            {
                Interlocked.Increment(ref billable);
            }

            if (Interlocked.Increment(ref seeded) % 500 == 0)
            {
                log.WriteLine($"  {seeded} seeded");
            }
        });
        return billable;
    }

    /// <summary>Polls the runs of the accounts (one cross-partition query every 2 s) until all are done or the deadline passes.</summary>
    private static async Task<List<RunRow>> WaitForRunsAsync(Container container, string prefix, int size, DateTimeOffset deadline, TextWriter log)
    {
        var query = new QueryDefinition("SELECT c.accountId, c.step, c.total, c.updatedAt FROM c WHERE c.type = 'invoiceRun' AND STARTSWITH(c.accountId, @prefix) AND (c.step = 'recorded' OR c.step = 'nothingToBill')")
            .WithParameter("@prefix", prefix);
        var lastReport = DateTimeOffset.MinValue;
        while (true)
        {
            var done = new List<RunRow>();
            using (var feed = container.GetItemQueryIterator<RunRow>(query))
            {
                while (feed.HasMoreResults)
                {
                    done.AddRange(await feed.ReadNextAsync());
                }
            }

            if (done.Count >= size || DateTimeOffset.UtcNow > deadline)
            {
                return done;
            }

            if (DateTimeOffset.UtcNow - lastReport > TimeSpan.FromSeconds(30))
            {
                log.WriteLine($"  {done.Count}/{size} runs done ({DateTimeOffset.UtcNow:HH:mm:ss}); load {Machine.LoadAverage()}");
                lastReport = DateTimeOffset.UtcNow;
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }
    }

    private static string Report(int rps, string loadBefore, List<Row> rows)
    {
        var report = new StringBuilder();
        report.AppendLine(Machine.Invariant($"invoicing, {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC; {Machine.Describe()}; load average {loadBefore} before; budget Stripe__RequestsPerSecond = {rps}"));
        report.AppendLine();
        report.AppendLine("| accounts | invoices (runs recorded) | nothing to bill | unfinished | duration: timer fire -> last run done (s) | Stripe requests | Stripe busy window (s) | **Stripe req/s (window)** | **share of budget** | req/s over the whole duration | busiest 1-s window | load average after |");
        report.AppendLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var row in rows)
        {
            var requests = row.StripeRequests;
            var duration = row.Finished.Count == 0 ? 0 : (row.Finished.Max(r => r.UpdatedAt) - row.FiredAt).TotalSeconds;
            var window = requests.Count < 2 ? 0 : (requests[^1].At - requests[0].At).TotalSeconds;
            var windowRate = window > 0 ? requests.Count / window : 0;
            var overall = duration > 0 ? requests.Count / duration : 0;
            var busiest = requests.Count == 0 ? 0 : requests.GroupBy(r => r.At.ToUnixTimeSeconds()).Max(g => g.Count());
            report.AppendLine(Machine.Invariant(
                $"| {row.Accounts} | {row.Finished.Count(r => r.Step == "recorded")} (expected {row.Billable}) | {row.Finished.Count(r => r.Step == "nothingToBill")} | {row.Accounts - row.Finished.Count} | {duration:0.0} | {requests.Count} | {window:0.0} | **{windowRate:0.0}** | **{Machine.Ratio(windowRate, rps)}** | {overall:0.0} | {busiest} | {row.LoadAfter} |"));
        }

        if (rows.Count == 2 && rows[0].Finished.Count > 0 && rows[1].Finished.Count > 0)
        {
            double Duration(Row r) => (r.Finished.Max(f => f.UpdatedAt) - r.FiredAt).TotalSeconds;
            report.AppendLine();
            report.AppendLine(Machine.Invariant($"- {rows[1].Accounts} accounts took **{Machine.Ratio(Duration(rows[1]), Duration(rows[0]))}x** the time of {rows[0].Accounts} ({rows[1].Accounts / (double)rows[0].Accounts:0}x the accounts)."));
        }

        foreach (var row in rows)
        {
            var byPath = row.StripeRequests.GroupBy(r => $"{r.Method} {Shape(r.Path)}").OrderByDescending(g => g.Count()).Select(g => $"{g.Key}: {g.Count()}");
            report.AppendLine(Machine.Invariant($"- {row.Accounts} accounts, Stripe requests by kind: {string.Join("; ", byPath)}."));
        }

        return report.ToString();
    }

    /// <summary>/v1/invoices/in_123/finalize -> /v1/invoices/{id}/finalize.</summary>
    private static string Shape(string path) =>
        string.Join('/', path.Split('/').Select(s => s.Contains('_', StringComparison.Ordinal) && s.Length > 6 ? "{id}" : s));

    private static StripeClient StripeClientFor(Uri apiBase)
    {
        var baseUrl = apiBase.ToString().TrimEnd('/');
        return new StripeClient(new StripeClientOptions
        {
            ApiKey = StripeEmulatorProcess.SecretKey,
            ApiBase = baseUrl,
            ConnectBase = baseUrl,
            FilesBase = baseUrl,
            MeterEventsBase = baseUrl,
            HttpClient = new SystemNetHttpClient(new HttpClient(), maxNetworkRetries: 2, appInfo: null, enableTelemetry: false),
        });
    }

    private static (int[] Sizes, int Rps, TimeSpan Timeout) Parse(string[] arguments)
    {
        var (sizes, rps, minutes) = (new[] { 200, 2000 }, 20, 40);
        for (var i = 0; i + 1 < arguments.Length; i += 2)
        {
            var value = arguments[i + 1];
            switch (arguments[i])
            {
                case "--accounts": sizes = [.. value.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))]; break;
                case "--rps": rps = int.Parse(value, CultureInfo.InvariantCulture); break;
                case "--timeout-minutes": minutes = int.Parse(value, CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"invoicing: unknown option {arguments[i]}");
            }
        }

        if (arguments.Length % 2 != 0)
        {
            throw new ArgumentException($"invoicing: option {arguments[^1]} needs a value");
        }

        return (sizes, rps, TimeSpan.FromMinutes(minutes));
    }

    private sealed record Row(int Accounts, int Billable, DateTimeOffset FiredAt, List<RunRow> Finished, List<(DateTimeOffset At, string Method, string Path)> StripeRequests, string LoadAfter);

    private sealed record RunRow
    {
        public string? AccountId { get; init; }

        public string? Step { get; init; }

        public long Total { get; init; }

        public DateTimeOffset UpdatedAt { get; init; }
    }
}
