using System.CommandLine;
using Billing.Cli.Accounts;

namespace Billing.Cli.Admin;

/// <summary>
/// <c>billing admin poison list [--max N] [--queue stripe-events|invoice-jobs]</c>,
/// <c>billing admin poison replay (--event evt_... | --run {accountId}:{periodKey} | --all) [--queue ...]</c>,
/// <c>billing admin resync --account ID</c>, <c>billing admin events recover [--since TIME] [--all] [--dry-run] [--limit N] [--cursor C] [--one-batch]</c>, the operator views as tables: <c>billing admin accounts [--plan P]
/// [--status S] [--q TEXT] [--cursor C] [--limit N]</c>, <c>billing admin account ID</c>,
/// <c>billing admin invoices [--period YYYY-MM] [--status S] [--cursor C] [--limit N]</c>, and
/// <c>billing admin credits adjust --account ID --amount N --currency usd --reason "..." [--idempotency-key K]</c>:
/// the function app's admin endpoints from the command line.
/// </summary>
public static class AdminCommand
{
    public const int MaxPoisonMessages = 32;

    /// <summary>The largest page the admin listings answer.</summary>
    public const int MaxPageSize = 100;

    public const int DefaultPageSize = 25;

    /// <summary>The events of one recovery batch: the endpoint's default and its most.</summary>
    public const int DefaultRecoveryBatch = 500;

    public const int MaxRecoveryBatch = 1000;

    private const string StripeEventsQueue = "stripe-events";

    private const string InvoiceJobsQueue = "invoice-jobs";

    public static Command Create()
    {
        var connection = new AdminConnection();
        var admin = new Command("admin", "Operations on a running function app (admin role): accounts, invoices, credit adjustments, poison messages, account re-sync and missed Stripe events.");
        connection.AddTo(admin);
        admin.Subcommands.Add(Poison(connection));
        admin.Subcommands.Add(Resync(connection));
        admin.Subcommands.Add(Events(connection));
        admin.Subcommands.Add(Accounts(connection));
        admin.Subcommands.Add(Account(connection));
        admin.Subcommands.Add(Invoices(connection));
        admin.Subcommands.Add(Credits(connection));
        BillingCli.RequireSubcommand(admin);
        return admin;
    }

    private static Command Poison(AdminConnection connection)
    {
        var max = BoundedIntOption.Create("--max", "How many messages to show", MaxPoisonMessages, 1, MaxPoisonMessages);
        var listQueue = QueueOption();
        var list = new Command("list", "List a poison queue: Stripe events with each event's status and last failure, or invoice jobs with each run's step.") { max, listQueue };
        list.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ListPoisonAsync(result.GetValue(max), result.GetRequiredValue(listQueue), output, error, cancellationToken)));

        var events = new Option<string[]>("--event") { Description = "A Stripe event id to replay (repeatable; the stripe-events queue).", AllowMultipleArgumentsPerToken = true };
        var runs = new Option<string[]>("--run") { Description = "An invoice run id, {accountId}:{periodKey}, to replay (repeatable; --queue invoice-jobs).", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Replay every poison message." };
        var replayQueue = QueueOption();
        var replay = new Command("replay", "Move poison messages back to their queue (stripe-events or invoice-jobs) to be processed again.") { events, runs, all, replayQueue };
        replay.Validators.Add(result =>
        {
            var byRun = result.GetValue(replayQueue) == InvoiceJobsQueue;
            var (ids, name, other) = byRun
                ? (result.GetValue(runs) ?? [], "--run", result.GetValue(events) ?? [])
                : (result.GetValue(events) ?? [], "--event", result.GetValue(runs) ?? []);
            if (other.Length > 0)
            {
                result.AddError(byRun ? "--event is for the stripe-events queue; invoice jobs are replayed with --run." : "--run is for --queue invoice-jobs; Stripe events are replayed with --event.");
            }
            else if ((ids.Length == 0) != result.GetValue(all))
            {
                result.AddError($"Say what to replay: {name} {(byRun ? "{accountId}:{periodKey}" : "evt_...")} (repeatable) or --all (not both).");
            }
            else if (ids.Any(string.IsNullOrWhiteSpace))
            {
                result.AddError($"{name} must not be empty.");
            }
        });
        replay.SetAction((result, cancellationToken) =>
        {
            var queue = result.GetRequiredValue(replayQueue);
            var ids = (queue == InvoiceJobsQueue ? result.GetValue(runs) : result.GetValue(events)) ?? [];
            return RunAsync(connection, result, (client, output, error) => client.ReplayPoisonAsync(ids, queue, output, error, cancellationToken));
        });

        var poison = new Command("poison", "The poison queues: stripe-events (default) and invoice-jobs.") { list, replay };
        BillingCli.RequireSubcommand(poison);
        return poison;
    }

    private static Option<string> QueueOption()
    {
        var queue = new Option<string>("--queue")
        {
            Description = $"Which poison queue: {StripeEventsQueue} (default) or {InvoiceJobsQueue}.",
            DefaultValueFactory = _ => StripeEventsQueue,
        };
        queue.AcceptOnlyFromAmong(StripeEventsQueue, InvoiceJobsQueue);
        return queue;
    }

    private static Command Resync(AdminConnection connection)
    {
        var account = AccountOption.Create("The billing account id.");
        var resync = new Command("resync", "Re-read an account's Stripe customer and subscriptions and apply them (after missed events).") { account };
        resync.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ResyncAsync(result.GetRequiredValue(account), output, error, cancellationToken)));
        return resync;
    }

    private static Command Events(AdminConnection connection)
    {
        var since = new Option<string?>("--since") { Description = "Events created at or after this time, with its offset: 2026-12-01T00:00Z (at most 30 days ago; default: 30 days ago, all Stripe lists)." };
        since.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 0 ? null : result.GetValueOrDefault<string?>();
            if (value is not null && EventRecoveryReport.ParseSince(value) is null)
            {
                result.AddError($"--since must be a time with its offset, e.g. 2026-12-01T00:00Z or 2026-12-01T09:30:00+01:00; got '{value}'.");
            }
        });
        var all = new Option<bool>("--all") { Description = "Also the events every webhook endpoint received (default: only those some endpoint has not)." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Only say what would be done: nothing is stored or queued." };
        var limit = BoundedIntOption.Create("--limit", "Events per batch (one call each; the command sends the next batch until none is left)", DefaultRecoveryBatch, 1, MaxRecoveryBatch);
        var cursor = new Option<string?>("--cursor") { Description = "Go on after the batch that printed it (with the same --since, --all and --dry-run)." };
        var oneBatch = new Option<bool>("--one-batch") { Description = "Stop after one batch, printing the cursor to go on from when more remain." };
        var recover = new Command("recover", "Store and queue the Stripe events whose webhook deliveries did not arrive (Stripe lists its last 30 days), as a delivery would, oldest first a batch at a time: each is applied once.") { since, all, dryRun, limit, cursor, oneBatch };
        recover.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.RecoverEventsAsync(
                EventRecoveryReport.ParseSince(result.GetValue(since)), result.GetValue(all), result.GetValue(dryRun), result.GetValue(limit), result.GetValue(cursor), result.GetValue(oneBatch), output, error, cancellationToken)));
        var events = new Command("events", "Stripe events whose webhook deliveries did not arrive.") { recover };
        BillingCli.RequireSubcommand(events);
        return events;
    }

    private static Command Accounts(AdminConnection connection)
    {
        var plan = new Option<string?>("--plan") { Description = "Only accounts on this plan (a catalog plan code)." };
        var status = new Option<string?>("--status") { Description = "Only accounts with this status: a subscription status (active, past_due, ...), trial or none." };
        var search = new Option<string?>("--q") { Description = "Only accounts whose id or Stripe customer id contains this text (case-insensitive)." };
        var (cursor, limit) = PageOptions();
        var accounts = new Command("accounts", "List accounts with plan, status, period, usage against limits and credit, a page at a time.") { plan, status, search, cursor, limit };
        accounts.SetAction((result, cancellationToken) =>
        {
            var filters = new AdminListFilters([("plan", result.GetValue(plan)), ("status", result.GetValue(status)), ("q", result.GetValue(search))], result.GetValue(cursor), result.GetValue(limit));
            return RunAsync(connection, result, (client, output, error) => client.ListAccountsAsync(filters, output, error, cancellationToken));
        });
        return accounts;
    }

    private static Command Account(AdminConnection connection)
    {
        var id = AccountOption.CreateArgument("id", "The billing account id.");
        var account = new Command("account", "Everything about one account: subscription as stored and in Stripe now, usage, invoices, credits, Stripe events.") { id };
        account.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ShowAccountAsync(result.GetRequiredValue(id), output, error, cancellationToken)));
        return account;
    }

    private static Command Invoices(AdminConnection connection)
    {
        var period = new Option<string?>("--period") { Description = "Only invoices of periods that started in this month (YYYY-MM)." };
        var status = new Option<string?>("--status") { Description = "Only invoices with this Stripe status (draft, open, paid, void, uncollectible, deleted)." };
        var (cursor, limit) = PageOptions();
        var invoices = new Command("invoices", "List every account's usage invoices, newest period first, a page at a time.") { period, status, cursor, limit };
        invoices.SetAction((result, cancellationToken) =>
        {
            var filters = new AdminListFilters([("period", result.GetValue(period)), ("status", result.GetValue(status))], result.GetValue(cursor), result.GetValue(limit));
            return RunAsync(connection, result, (client, output, error) => client.ListInvoicesAsync(filters, output, error, cancellationToken));
        });
        return invoices;
    }

    private static (Option<string?> Cursor, Option<int> Limit) PageOptions() =>
        (new Option<string?>("--cursor") { Description = "Continue after the previous page (the value it printed after 'more:')." },
         BoundedIntOption.Create("--limit", "Accounts or invoices per page", DefaultPageSize, 1, MaxPageSize));

    private static Command Credits(AdminConnection connection)
    {
        var account = AccountOption.Create("The billing account id.");
        var amount = new Option<long>("--amount") { Description = "Minor units (cents): positive grants credit, negative takes it away (the grant expiring soonest first).", Required = true };
        amount.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && result.GetValueOrDefault<long>() == 0)
            {
                result.AddError("--amount must not be 0.");
            }
        });
        var currency = new Option<string>("--currency") { Description = "Three-letter lower-case ISO code, e.g. usd.", Required = true };
        currency.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 0 ? null : result.GetValueOrDefault<string>();
            if (value is not null && !Domain.Pricing.Currency.TryParse(value, out _))
            {
                result.AddError(Domain.Pricing.Currency.InvalidMessage(value));
            }
        });
        var reason = new Option<string>("--reason") { Description = "Why (kept on the ledger entry with your identity).", Required = true };
        reason.Validators.Add(result =>
        {
            if (result.Tokens.Count > 0 && string.IsNullOrWhiteSpace(result.GetValueOrDefault<string>()))
            {
                result.AddError("--reason must not be empty.");
            }
        });
        var key = new Option<string>("--idempotency-key") { Description = "Makes a retried command post once (default: a new key, printed on stderr for a retry)." };
        var adjust = new Command("adjust", "Add credit to an account or take it away, with a reason (a manual ledger entry).") { account, amount, currency, reason, key };
        adjust.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.AdjustCreditsAsync(
                result.GetRequiredValue(account), result.GetValue(amount), result.GetRequiredValue(currency), result.GetRequiredValue(reason), result.GetValue(key), output, error, cancellationToken)));
        var credits = new Command("credits", "An account's prepaid credit.") { adjust };
        BillingCli.RequireSubcommand(credits);
        return credits;
    }

    private static async Task<int> RunAsync(AdminConnection connection, ParseResult result, Func<AdminApiClient, TextWriter, TextWriter, Task<int>> call)
    {
        using var client = connection.CreateClient(result, out var error);
        if (client is null)
        {
            await BillingCli.WriteErrorAsync(result, error!).ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        return await call(client, result.InvocationConfiguration.Output, result.InvocationConfiguration.Error).ConfigureAwait(false);
    }
}
