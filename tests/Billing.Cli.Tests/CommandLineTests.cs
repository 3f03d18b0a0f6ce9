using Billing.Cli.Tests.Support;

namespace Billing.Cli.Tests;

/// <summary>The exit-code contract for the parser's own outcomes: help 0, anything it cannot parse 2, one line on stderr.</summary>
public sealed class CommandLineTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("token", "--help")]
    [InlineData("admin", "poison", "replay", "--help")]
    [InlineData("apikey", "new", "--help")]
    [InlineData("apikey", "hash", "--help")]
    public async Task Help_prints_usage_and_exits_0(params string[] args)
    {
        var run = await CliRun.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Contains("Usage:", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.Error);
    }

    [Fact]
    public async Task An_unknown_command_is_a_usage_error_on_one_line()
    {
        var run = await CliRun.RunAsync("frobnicate");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: ", line, StringComparison.Ordinal);
        Assert.Contains("'frobnicate'", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("token", "--no-such-option")]
    [InlineData("admin", "poison", "purge")]
    [InlineData("apikey", "revoke")]
    public async Task An_unknown_option_or_subcommand_is_a_usage_error(params string[] args)
    {
        var run = await CliRun.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        Assert.All(run.ErrorLines, line => Assert.StartsWith("billing: ", line, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("'billing' needs a command (token, admin, apikey, invoices)")]
    [InlineData("'billing apikey' needs a command (new, hash)", "apikey")]
    [InlineData("'billing admin' needs a command (poison, resync, events, accounts, account, invoices, credits)", "admin")]
    [InlineData("'billing admin events' needs a command (recover)", "admin", "events")]
    [InlineData("'billing admin poison' needs a command (list, replay)", "admin", "poison")]
    public async Task A_command_group_without_its_subcommand_is_a_usage_error(string message, params string[] args)
    {
        var run = await CliRun.RunAsync(args);

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Contains(message, Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }
}
