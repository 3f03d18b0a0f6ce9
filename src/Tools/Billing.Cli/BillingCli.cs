using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using Billing.Cli.Admin;
using Billing.Cli.ApiKeys;
using Billing.Cli.Invoices;
using Billing.Cli.Tokens;

namespace Billing.Cli;

/// <summary>
/// The <c>billing</c> command line: builds the root command and runs it with the <see cref="ExitCodes"/> contract.
/// Parse errors exit <see cref="ExitCodes.Usage"/>; every error is one line on stderr, never a stack trace.
/// </summary>
public static class BillingCli
{
    public const string Name = "billing";

    /// <param name="input">Where a command reads a secret it is not given on the command line.</param>
    public static RootCommand CreateRootCommand(SecretInput input)
    {
        var root = new RootCommand("Billing development and operations CLI.")
        {
            TokenCommand.Create(),
            AdminCommand.Create(),
            ApiKeyCommand.Create(input),
            InvoicesCommand.Create(),
        };
        RequireSubcommand(root);
        return root;
    }

    /// <summary>
    /// A command that only groups subcommands: run alone it is a usage error naming the subcommands. (Without an action,
    /// System.CommandLine adds "Required command was not provided" to every error under it, such as an unknown command.)
    /// </summary>
    public static void RequireSubcommand(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.SetAction(async result =>
        {
            var path = CommandPath(result.CommandResult);
            var names = string.Join(", ", command.Subcommands.Select(c => c.Name));
            await WriteErrorAsync(result, $"'{path}' needs a command ({names}). See '{path} --help'.").ConfigureAwait(false);
            return ExitCodes.Usage;
        });
    }

    /// <summary>Parses and runs <paramref name="args"/>; input, output and errors are the given reader and writers (the console by default).</summary>
    public static async Task<int> RunAsync(IReadOnlyList<string> args, TextReader? input = null, TextWriter? output = null, TextWriter? error = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        var configuration = new InvocationConfiguration
        {
            Output = output ?? Console.Out,
            Error = error ?? Console.Error,
            EnableDefaultExceptionHandler = false,
        };

        try
        {
            var parseResult = CreateRootCommand(SecretInput.From(input)).Parse(args);
            if (parseResult.Action is ParseErrorAction)
            {
                // System.CommandLine would print the errors and the help and exit 1; the contract says one line per error and 2.
                var hint = $"See '{CommandPath(parseResult.CommandResult)} --help'.";
                foreach (var parseError in parseResult.Errors)
                {
                    await WriteErrorAsync(configuration.Error, $"{parseError.Message} {hint}").ConfigureAwait(false);
                }

                return ExitCodes.Usage;
            }

            return await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C (the HTTP timeouts are answered where they happen): a write under way may have been applied.
            await WriteErrorAsync(configuration.Error, "Cancelled. A request that was under way may have been applied.").ConfigureAwait(false);
            return ExitCodes.Cancelled;
        }
#pragma warning disable CA1031 // The last line of defence: any failure is one line on stderr and exit code 1, never a stack trace.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            await WriteErrorAsync(configuration.Error, $"{exception.GetType().Name}: {exception.Message}").ConfigureAwait(false);
            return ExitCodes.Failed;
        }
    }

    /// <summary>Writes <c>billing: message</c> as one line.</summary>
    public static Task WriteErrorAsync(TextWriter error, string message)
    {
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(message);
        return error.WriteLineAsync($"{Name}: {OneLine(message)}");
    }

    /// <inheritdoc cref="WriteErrorAsync(TextWriter, string)"/>
    public static Task WriteErrorAsync(ParseResult result, string message)
    {
        ArgumentNullException.ThrowIfNull(result);
        return WriteErrorAsync(result.InvocationConfiguration.Error, message);
    }

    /// <summary>Collapses line breaks and runs of white space so a message stays on one line.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', (text ?? string.Empty).Split((char[])['\r', '\n', '\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    private static string CommandPath(CommandResult command)
    {
        var names = new List<string>();
        for (SymbolResult? symbol = command; symbol is not null; symbol = symbol.Parent)
        {
            if (symbol is CommandResult { Command: var c })
            {
                names.Add(c is RootCommand ? Name : c.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
