using System.Text;

namespace Billing.Cli;

/// <summary>
/// A secret read from standard input rather than the command line (where other users of the machine see it in the
/// process list and the shell keeps it in its history). Piped or redirected: all of it, less one trailing line break;
/// a terminal: a line typed without echo. A reader given to <see cref="BillingCli.RunAsync"/> (tests) counts as redirected.
/// </summary>
public sealed class SecretInput
{
    private readonly TextReader? _redirected;

    private SecretInput(TextReader? redirected) => _redirected = redirected;

    /// <summary><paramref name="reader"/>, or (when it is null) the console's standard input.</summary>
    public static SecretInput From(TextReader? reader) => new(reader ?? (Console.IsInputRedirected ? Console.In : null));

    /// <summary>The secret; at a terminal, <paramref name="prompt"/> is written to <paramref name="error"/> first (stdout carries the result).</summary>
    public async Task<string> ReadAsync(string prompt, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (_redirected is not null)
        {
            return WithoutTrailingLineBreak(await _redirected.ReadToEndAsync(cancellationToken).ConfigureAwait(false));
        }

        await error.WriteAsync(prompt).ConfigureAwait(false);
        // Console.ReadKey blocks: Ctrl+C ends the wait rather than the read.
        var typed = await Task.Run(ReadWithoutEcho, CancellationToken.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        await error.WriteLineAsync().ConfigureAwait(false);
        return typed;
    }

    private static string ReadWithoutEcho()
    {
        var typed = new StringBuilder();
        for (var key = Console.ReadKey(intercept: true); key.Key != ConsoleKey.Enter; key = Console.ReadKey(intercept: true))
        {
            if (key.Key == ConsoleKey.Backspace)
            {
                typed.Length = Math.Max(0, typed.Length - 1);
            }
            else if (!char.IsControl(key.KeyChar))
            {
                typed.Append(key.KeyChar);
            }
        }

        return typed.ToString();
    }

    private static string WithoutTrailingLineBreak(string text) =>
        text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
}
