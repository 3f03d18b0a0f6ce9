using System.Text;
using System.Text.Json;
using Billing.Cli.Tests.Support;
using Billing.Cli.Tokens;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Billing.Cli.Tests.Tokens;

public sealed class TokenCommandTests : IDisposable
{
    private readonly TestSettings _settings = new();

    public void Dispose() => _settings.Dispose();

    [Fact]
    public async Task Neither_account_nor_scope_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("token", "--settings", _settings.Path);

        AssertUsageError(run, "--account");
        Assert.Contains("--scope", run.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("10081")]
    [InlineData("sixty")]
    public async Task Minutes_outside_one_minute_to_seven_days_are_a_usage_error(string minutes)
    {
        var run = await CliRun.RunAsync("token", "--account", "user-1", "--minutes", minutes, "--settings", _settings.Path);

        AssertUsageError(run, "--minutes");
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData(" x")]
    [InlineData("x ")]
    [InlineData("")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\\b")]
    [InlineData("a\u0001b")]
    public async Task An_account_id_the_server_would_refuse_is_a_usage_error(string account)
    {
        var run = await CliRun.RunAsync("token", "--account", account, "--settings", _settings.Path);

        AssertUsageError(run, "--account");
    }

    [Fact]
    public async Task The_help_states_the_servers_account_id_rule_in_full()
    {
        var run = await CliRun.RunAsync("token", "--help");

        var help = string.Join(' ', run.Output.Split((char[])['\r', '\n', ' '], StringSplitOptions.RemoveEmptyEntries)); // the help wraps lines
        Assert.Contains("no / \\ ? # %,", help, StringComparison.Ordinal);
        Assert.Contains("no control characters or bidirectional overrides", help, StringComparison.Ordinal);
        Assert.Contains("not . or ..", help, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_account_id_longer_than_128_characters_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("token", "--account", new string('a', 129), "--settings", _settings.Path);

        AssertUsageError(run, "at most 128");
    }

    [Fact]
    public async Task A_settings_file_that_does_not_exist_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("token", "--account", "user-1", "--settings", Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N") + ".json"));

        AssertUsageError(run, "--settings");
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{ "Auth": { "Issuer": "i", "Audience": "a" } }""")]
    [InlineData("""{ "Auth": { "Issuer": "i", "Audience": "a", "DevelopmentSigningKey": "too-short" } }""")]
    [InlineData("""{ "Auth": { "Issuer": 5, "Audience": "a", "DevelopmentSigningKey": "k" } }""")]
    public async Task A_settings_file_without_usable_auth_settings_is_a_usage_error(string json)
    {
        using var settings = new TestSettings(json);

        var run = await CliRun.RunAsync("token", "--account", "user-1", "--settings", settings.Path);

        AssertUsageError(run, settings.Path);
    }

    [Fact]
    public async Task A_valid_request_prints_a_token_the_server_would_accept()
    {
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        var run = await CliRun.RunAsync("token", "--account", "user-1", "--minutes", "5", "--settings", _settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        var token = run.Output.Trim();
        await AssertSignedAsync(token);
        using var payload = Payload(token);
        var claims = payload.RootElement;
        Assert.Equal("user-1", claims.GetProperty("sub").GetString());
        Assert.Equal(TestSettings.Issuer, claims.GetProperty("iss").GetString());
        Assert.Equal(TestSettings.Audience, claims.GetProperty("aud").GetString());
        var issuedAt = claims.GetProperty("iat").GetInt64();
        Assert.InRange(issuedAt, before - 1, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 1);
        Assert.Equal(issuedAt + (5 * 60), claims.GetProperty("exp").GetInt64());
        Assert.False(claims.TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task Admin_grants_the_admin_role_and_the_default_lifetime_is_an_hour()
    {
        var run = await CliRun.RunAsync("token", "--account", "ops-1", "--admin", "--settings", _settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var token = run.Output.Trim();
        await AssertSignedAsync(token);
        using var payload = Payload(token);
        var claims = payload.RootElement;
        Assert.Equal("ops-1", claims.GetProperty("sub").GetString());
        Assert.Equal(claims.GetProperty("iat").GetInt64() + 3600, claims.GetProperty("exp").GetInt64());
        var roles = claims.GetProperty("roles");
        var granted = roles.ValueKind == JsonValueKind.Array ? string.Join(",", roles.EnumerateArray().Select(r => r.GetString())) : roles.GetString();
        Assert.Equal("billing.admin", granted);
    }

    [Fact]
    public async Task Admin_grants_the_admin_role_the_settings_name_in_their_role_claim()
    {
        using var settings = TestSettings.WithAuth("""
            "RoleClaim": "groups", "AdminRole": "billing-operators"
            """);

        var run = await CliRun.RunAsync("token", "--account", "ops-1", "--admin", "--settings", settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        var token = run.Output.Trim();
        await AssertSignedAsync(token);
        using var payload = Payload(token);
        Assert.Equal("billing-operators", payload.RootElement.GetProperty("groups").GetString());
        Assert.False(payload.RootElement.TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task The_account_claim_is_the_one_the_settings_name()
    {
        using var settings = TestSettings.WithAuth("""
            "AccountClaim": "org_id"
            """);

        var run = await CliRun.RunAsync("token", "--account", "org-7", "--settings", settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var payload = Payload(run.Output.Trim());
        Assert.Equal("org-7", payload.RootElement.GetProperty("org_id").GetString());
    }

    [Fact]
    public async Task A_scope_makes_a_service_token_without_an_account_claim()
    {
        var run = await CliRun.RunAsync("token", "--scope", "billing.usage", "--settings", _settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Empty(run.Error);
        var token = run.Output.Trim();
        await AssertSignedAsync(token);
        using var payload = Payload(token);
        var claims = payload.RootElement;
        Assert.Equal("billing.usage", claims.GetProperty("scope").GetString());
        Assert.Equal(TokenCommand.ServiceClientId, claims.GetProperty("azp").GetString());
        Assert.False(claims.TryGetProperty("sub", out _));
        Assert.False(claims.TryGetProperty("roles", out _));
    }

    [Fact]
    public async Task Several_scopes_are_one_space_separated_claim_and_an_account_may_be_named_too()
    {
        var run = await CliRun.RunAsync("token", "--scope", "billing.usage", "--scope", "reports.read", "--account", "org-7", "--settings", _settings.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        using var payload = Payload(run.Output.Trim());
        Assert.Equal("billing.usage reports.read", payload.RootElement.GetProperty("scope").GetString());
        Assert.Equal("org-7", payload.RootElement.GetProperty("sub").GetString());
    }

    [Fact]
    public async Task A_user_token_has_no_scope()
    {
        var run = await CliRun.RunAsync("token", "--account", "user-1", "--settings", _settings.Path);

        using var payload = Payload(run.Output.Trim());
        Assert.False(payload.RootElement.TryGetProperty("scope", out _));
        Assert.False(payload.RootElement.TryGetProperty("azp", out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("billing.usage reports.read")]
    [InlineData("billing.usage\t")]
    public async Task A_scope_that_is_not_one_word_is_a_usage_error(string scope)
    {
        var run = await CliRun.RunAsync("token", "--scope", scope, "--settings", _settings.Path);

        AssertUsageError(run, "--scope");
    }

    [Fact]
    public async Task A_scope_without_a_value_is_a_usage_error()
    {
        var run = await CliRun.RunAsync("token", "--settings", _settings.Path, "--scope");

        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        Assert.Contains("--scope", run.Error, StringComparison.Ordinal);
    }

    private static void AssertUsageError(CliRun.Result run, string mention)
    {
        Assert.True(run.ExitCode == ExitCodes.Usage, run.ToString());
        Assert.Empty(run.Output);
        var line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("billing: ", line, StringComparison.Ordinal);
        Assert.Contains(mention, line, StringComparison.Ordinal);
    }

    private static async Task AssertSignedAsync(string token)
    {
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            ValidIssuer = TestSettings.Issuer,
            ValidAudience = TestSettings.Audience,
            IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(TestSettings.SigningKey)),
            ClockSkew = TimeSpan.Zero,
        });
        Assert.True(validation.IsValid, validation.Exception?.Message);
    }

    private static JsonDocument Payload(string token) =>
        JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(token.Split('.')[1]));
}
