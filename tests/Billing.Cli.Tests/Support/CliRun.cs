using Billing.Cli;

namespace Billing.Cli.Tests.Support;

/// <summary>Runs the <c>billing</c> root command in process, with its output and errors captured; standard input is empty unless given.</summary>
internal static class CliRun
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        public override string ToString() => $"exit {ExitCode}; stdout: {Output}; stderr: {Error}";
    }

    public static Task<Result> RunAsync(params string[] args) => RunAsync(CancellationToken.None, args);

    /// <summary>As the other overload; <paramref name="cancellationToken"/> stands for Ctrl+C.</summary>
    public static Task<Result> RunAsync(CancellationToken cancellationToken, params string[] args) => RunCoreAsync("", args, cancellationToken);

    /// <summary>As the other overloads, with <paramref name="input"/> piped to standard input.</summary>
    public static Task<Result> RunWithInputAsync(string input, params string[] args) => RunCoreAsync(input, args, CancellationToken.None);

    private static async Task<Result> RunCoreAsync(string input, string[] args, CancellationToken cancellationToken)
    {
        using var reader = new StringReader(input);
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await BillingCli.RunAsync(args, reader, output, error, cancellationToken);
        return new Result(exitCode, output.ToString(), error.ToString());
    }
}
