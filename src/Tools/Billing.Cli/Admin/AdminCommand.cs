using System.CommandLine;

namespace Billing.Cli.Admin;

/// <summary>
/// <c>billing admin poison list [--max N]</c>, <c>billing admin poison replay (--event evt_... | --all)</c>,
/// <c>billing admin resync --account ID</c>: the function app's admin endpoints from the command line.
/// </summary>
public static class AdminCommand
{
    public static Command Create()
    {
        var connection = new AdminConnection();
        var admin = new Command("admin", "Operations on a running function app (admin role): poison messages and account re-sync.");
        connection.AddTo(admin);
        admin.Subcommands.Add(Poison(connection));
        admin.Subcommands.Add(Resync(connection));
        return admin;
    }

    private static Command Poison(AdminConnection connection)
    {
        var max = new Option<int>("--max") { Description = "How many messages to show (1-32).", DefaultValueFactory = _ => 32 };
        var list = new Command("list", "List the Stripe events poison queue with each event's status and last failure.") { max };
        list.SetAction((result, cancellationToken) => RunAsync(connection, result, client => client.ListPoisonAsync(result.GetValue(max), Console.Out, cancellationToken)));

        var events = new Option<string[]>("--event") { Description = "An event id to replay (repeatable).", AllowMultipleArgumentsPerToken = true };
        var all = new Option<bool>("--all") { Description = "Replay every poison message." };
        var replay = new Command("replay", "Move poison messages back to the stripe-events queue to be processed again.") { events, all };
        replay.SetAction((result, cancellationToken) =>
        {
            var ids = result.GetValue(events) ?? [];
            if ((ids.Length == 0) != result.GetValue(all))
            {
                Console.Error.WriteLine("Say what to replay: --event evt_... (repeatable) or --all (not both).");
                return Task.FromResult(2);
            }

            return RunAsync(connection, result, client => client.ReplayPoisonAsync(ids, Console.Out, cancellationToken));
        });

        return new Command("poison", "The stripe-events poison queue.") { list, replay };
    }

    private static Command Resync(AdminConnection connection)
    {
        var account = new Option<string>("--account") { Description = "The billing account id.", Required = true };
        var resync = new Command("resync", "Re-read an account's Stripe customer and subscriptions and apply them (after missed events).") { account };
        resync.SetAction((result, cancellationToken) => RunAsync(connection, result, client => client.ResyncAsync(result.GetValue(account)!, Console.Out, cancellationToken)));
        return resync;
    }

    private static async Task<int> RunAsync(AdminConnection connection, ParseResult result, Func<AdminApiClient, Task<int>> call)
    {
        using var client = connection.CreateClient(result);
        return client is null ? 2 : await call(client).ConfigureAwait(false);
    }
}
