using System.CommandLine;

namespace Billing.Cli.ApiKeys;

/// <summary>
/// <c>billing apikey new [--name NAME] [--index N]</c> prints a new key and the app settings to configure its hash;
/// <c>billing apikey hash</c> prints the hash of an existing key read from standard input (<see cref="SecretInput"/>; the
/// <c>KEY</c> argument still works, with a warning). Nothing is stored; nothing calls the app.
/// </summary>
public static class ApiKeyCommand
{
    /// <summary>Configured keys are few; the index is only there to add a key next to existing ones.</summary>
    public const int MaxIndex = 99;

    /// <summary>A key is passed on standard input this way (<c>printf</c> is a shell builtin: no process shows the key).</summary>
    private const string PipeExample = "printf %s \"$KEY\" | billing apikey hash";

    public static Command Create(SecretInput input)
    {
        var apikey = new Command("apikey", "API keys for the service endpoints (X-Api-Key): create one, or hash one for the app settings.")
        {
            New(),
            Hash(input),
        };
        BillingCli.RequireSubcommand(apikey);
        return apikey;
    }

    private static Command New()
    {
        var name = new Option<string>("--name")
        {
            Description = $"The calling service's name, as the app logs it ({ServiceApiKeys.MaxNameLength} letters, digits, '.', '-', '_' at most; default {ServiceApiKeys.DefaultName}). Configured names are unique (the app refuses to start with two keys of one name): a key that rotates another gets a name of its own, such as usage-worker-2.",
            DefaultValueFactory = _ => ServiceApiKeys.DefaultName,
        };
        name.Validators.Add(result =>
        {
            var value = result.Tokens.Count == 0 ? ServiceApiKeys.DefaultName : result.Tokens[^1].Value; // no value: the parser reports it
            if (!ServiceApiKeys.IsValidName(value))
            {
                result.AddError($"--name '{value}' must be 1..{ServiceApiKeys.MaxNameLength} letters, digits, '.', '-' or '_'.");
            }
        });
        var index = BoundedIntOption.Create("--index", "The key's index N in Billing:ServiceAuth:ApiKeys. The default 0 replaces the first configured key (its caller is refused from then on): when keys are configured already, as while rotating one, pass the next free index, and give the key a name of its own (names are unique)", 0, 0, MaxIndex);
        var command = new Command("new", "Create a random key (32 bytes, base64url); print it once and the app settings holding only its hash.") { name, index };
        command.SetAction(async (result, cancellationToken) =>
        {
            var key = ServiceApiKeys.NewKey();
            var settings = ServiceApiKeys.SettingLines(result.GetRequiredValue(name), ServiceApiKeys.Hash(key), result.GetValue(index));
            string[] lines =
            [
                "# API key for the calling service (send it as X-Api-Key). Shown only now; the app keeps only its hash:",
                key,
                "# App settings for the function app:",
                .. settings,
            ];
            await result.InvocationConfiguration.Output.WriteLineAsync(string.Join(Environment.NewLine, lines).AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Hash(SecretInput input)
    {
        var key = new Argument<string?>("KEY")
        {
            Description = "The key, for compatibility: other users of this machine see it in the process list and the shell keeps it in its history. Leave it out and give the key on standard input.",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var command = new Command("hash", $"Print the hex SHA-256 of a key read from standard input (piped: {PipeExample}; at a terminal: typed, not shown): the value of Billing:ServiceAuth:ApiKeys:N:Sha256.") { key };
        command.SetAction(async (result, cancellationToken) =>
        {
            var argument = result.GetValue(key);
            var value = argument ?? await input.ReadAsync("API key (not shown): ", result.InvocationConfiguration.Error, cancellationToken).ConfigureAwait(false);
            if (value.Length == 0)
            {
                await BillingCli.WriteErrorAsync(result, $"The key to hash is empty. Give it on standard input: {PipeExample}").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (!ServiceApiKeys.IsSendable(value))
            {
                await BillingCli.WriteErrorAsync(result, "The key has a line break, a tab or another control character, a space at either end, or a non-ASCII character: it can never arrive in an X-Api-Key header as it is, so its hash would match nothing. Pass the key exactly (printf %s, not echo).").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            if (argument is not null)
            {
                await BillingCli.WriteErrorAsync(result, $"warning: KEY on the command line is seen by other users of this machine (process list) and kept in the shell history; give it on standard input instead: {PipeExample}").ConfigureAwait(false);
            }

            await result.InvocationConfiguration.Output.WriteLineAsync(ServiceApiKeys.Hash(value).AsMemory(), cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }
}
