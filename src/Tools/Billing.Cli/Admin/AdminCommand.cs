using System.CommandLine;
using Billing.Cli.Accounts;

namespace Billing.Cli.Admin;

/// <summary>
/// <c>billing admin poison list [--max N]</c>, <c>billing admin poison replay (--event evt_... | --all)</c>,
/// <c>billing admin resync --account ID</c>: the function app's admin endpoints from the command line.
/// </summary>
public static class AdminCommand
{
    public const int MaxPoisonMessages = 32;

    public static Command Create()
    {
        var connection = new AdminConnection();
        var admin = new Command("admin", "Operations on a running function app (admin role): poison messages and account re-sync.");
        connection.AddTo(admin);
        admin.Subcommands.Add(Poison(connection));
        admin.Subcommands.Add(Resync(connection));
        BillingCli.RequireSubcommand(admin);
        return admin;
    }

    private static Command Poison(AdminConnection connection)
    {
        var max = BoundedIntOption.Create("--max", "How many messages to show", MaxPoisonMessages, 1, MaxPoisonMessages);
        var list = new Command("list", "List the Stripe events poison queue with each event's status and last failure.") { max };
        list.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ListPoisonAsync(result.GetValue(max), output, error, cancellationToken)));

        var events = new Option<string[]>("--event") { Description = "An event id to replay (repeatable).", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Replay every poison message." };
        var replay = new Command("replay", "Move poison messages back to the stripe-events queue to be processed again.") { events, all };
        replay.Validators.Add(result =>
        {
            var ids = result.GetValue(events) ?? [];
            if ((ids.Length == 0) != result.GetValue(all))
            {
                result.AddError("Say what to replay: --event evt_... (repeatable) or --all (not both).");
            }
            else if (ids.Any(string.IsNullOrWhiteSpace))
            {
                result.AddError("--event must not be empty.");
            }
        });
        replay.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ReplayPoisonAsync(result.GetValue(events) ?? [], output, error, cancellationToken)));

        var poison = new Command("poison", "The stripe-events poison queue.") { list, replay };
        BillingCli.RequireSubcommand(poison);
        return poison;
    }

    private static Command Resync(AdminConnection connection)
    {
        var account = AccountOption.Create("The billing account id.");
        var resync = new Command("resync", "Re-read an account's Stripe customer and subscriptions and apply them (after missed events).") { account };
        resync.SetAction((result, cancellationToken) =>
            RunAsync(connection, result, (client, output, error) => client.ResyncAsync(result.GetRequiredValue(account), output, error, cancellationToken)));
        return resync;
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
