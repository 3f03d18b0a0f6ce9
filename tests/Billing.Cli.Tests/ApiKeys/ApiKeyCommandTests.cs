using System.Security.Cryptography;
using System.Text;
using Billing.Cli.ApiKeys;
using Billing.Cli.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace Billing.Cli.Tests.ApiKeys;

public sealed class ApiKeyCommandTests
{
    [Fact]
    public async Task New_prints_a_random_key_and_the_settings_with_its_hash()
    {
        var run = await CliRun.RunAsync("apikey", "new", "--name", "usage-worker");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        var lines = Lines(run.Output);
        Assert.Equal(3, lines.Length);
        var key = lines[0];
        Assert.Equal(32, Base64UrlEncoder.DecodeBytes(key).Length);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", key);
        Assert.Equal("Billing__ServiceAuth__ApiKeys__0__Name=usage-worker", lines[1]);
        Assert.Equal($"Billing__ServiceAuth__ApiKeys__0__Sha256={Sha256(key)}", lines[2]);
    }

    [Fact]
    public async Task Each_new_key_is_different_and_the_name_defaults_to_service()
    {
        var first = Lines((await CliRun.RunAsync("apikey", "new")).Output);
        var second = Lines((await CliRun.RunAsync("apikey", "new")).Output);

        Assert.NotEqual(first[0], second[0]);
        Assert.Equal("Billing__ServiceAuth__ApiKeys__0__Name=service", first[1]);
    }

    [Fact]
    public async Task The_index_names_the_settings_of_a_further_key()
    {
        var run = await CliRun.RunAsync("apikey", "new", "--name", "reports", "--index", "2");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var lines = Lines(run.Output);
        Assert.Equal("Billing__ServiceAuth__ApiKeys__2__Name=reports", lines[1]);
        Assert.StartsWith("Billing__ServiceAuth__ApiKeys__2__Sha256=", lines[2], StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_help_says_a_key_beside_configured_ones_needs_the_next_free_index_and_a_name_of_its_own()
    {
        // A rotation adds the new key beside the old one: the default index 0 would replace the first configured key (its
        // caller refused at once), and a second key under the old key's name stops the app's start (names are unique).
        var run = await CliRun.RunAsync("apikey", "new", "--help");

        var help = string.Join(' ', run.Output.Split((char[])['\r', '\n', ' '], StringSplitOptions.RemoveEmptyEntries)); // the help wraps lines
        Assert.Contains("0 replaces the first configured key", help, StringComparison.Ordinal);
        Assert.Contains("pass the next free index", help, StringComparison.Ordinal);
        Assert.Contains("names are unique", help, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--name", "")]
    [InlineData("--name", "usage worker")]
    [InlineData("--name", "usage=worker")]
    [InlineData("--name", "ünicode")]
    [InlineData("--index", "-1")]
    [InlineData("--index", "100")]
    public async Task A_bad_name_or_index_is_a_usage_error(string option, string value)
    {
        var run = await CliRun.RunAsync("apikey", "new", option, value);

        AssertUsageError(run, option);
    }

    [Fact]
    public async Task A_name_longer_than_64_characters_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("apikey", "new", "--name", new string('a', 65));

        AssertUsageError(run, "--name");
    }

    [Fact]
    public async Task A_name_option_without_a_value_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("apikey", "new", "--name");

        AssertUsageError(run, "--name");
    }

    [Theory]
    [InlineData("local-development-usage-key", "local-development-usage-key")]
    [InlineData("local-development-usage-key\n", "local-development-usage-key")]
    [InlineData("local-development-usage-key\r\n", "local-development-usage-key")]
    [InlineData("a key with ~ inner spaces", "a key with ~ inner spaces")]
    public async Task Hash_prints_the_sha256_of_standard_input_less_one_trailing_line_break(string input, string key)
    {
        var run = await CliRun.RunWithInputAsync(input, "apikey", "hash");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        Assert.Equal(Sha256(key), run.Output.Trim());
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("\n", "empty")]
    [InlineData("\r\n", "empty")]
    [InlineData("clé", Unsendable)]
    [InlineData(" key", Unsendable)]
    [InlineData("key\t", Unsendable)]
    [InlineData("key\n\n", Unsendable)]
    [InlineData("key\r\n\r\n", Unsendable)]
    [InlineData("key\r", Unsendable)]
    [InlineData("k\u0000ey", Unsendable)]
    public async Task Hash_of_an_empty_key_or_one_no_header_can_carry_as_it_is_is_a_usage_error(string input, string mention)
    {
        var run = await CliRun.RunWithInputAsync(input, "apikey", "hash");

        AssertUsageError(run, mention);
    }

    [Fact]
    public async Task Hash_of_a_key_given_as_an_argument_prints_its_lower_case_hex_sha256_and_warns_that_others_can_see_it()
    {
        var run = await CliRun.RunWithInputAsync("ignored", "apikey", "hash", "local-development-usage-key");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal("b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a", run.Output.Trim());
        var warning = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: warning: ", warning, StringComparison.Ordinal);
        Assert.Contains("other users", warning, StringComparison.Ordinal);
        Assert.Contains("standard input", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hash_of_an_empty_argument_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("apikey", "hash", "");

        AssertUsageError(run, "empty");
    }

    [Fact]
    public void The_settings_lines_use_the_app_setting_names() =>
        Assert.Equal(
            ["Billing__ServiceAuth__ApiKeys__0__Name=local", "Billing__ServiceAuth__ApiKeys__0__Sha256=abc"],
            ServiceApiKeys.SettingLines("local", "abc"));

    private static string Sha256(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    /// <summary>The output without its comment lines.</summary>
    private static string[] Lines(string output) =>
        [.. output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(l => !l.StartsWith('#'))];

    private const string Unsendable = "can never arrive in an X-Api-Key header";

    private static void AssertUsageError(CliRun.Result run, string mention)
    {
        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: ", line, StringComparison.Ordinal);
        Assert.Contains(mention, line, StringComparison.Ordinal);
    }
}
