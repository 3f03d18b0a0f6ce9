using Billing.Cli.Tokens;

namespace Billing.Cli.Tests.Tokens;

/// <summary>Where the CLI finds the app's development Auth settings: the app's file, overridden by local.settings.json, overridden by exported Auth__ variables.</summary>
public sealed class DevelopmentAuthSettingsTests : IDisposable
{
    private const string AppSettings = """
        { "Auth": { "Issuer": "https://billing.test/app", "Audience": "billing-api", "DevelopmentSigningKey": "app-file-signing-key-0123456789abcdef0123" } }
        """;

    private readonly string _root = Path.Combine(Path.GetTempPath(), "billing-cli-auth-" + Guid.NewGuid().ToString("N"));

    public DevelopmentAuthSettingsTests()
    {
        var app = Path.Combine(_root, DevelopmentAuthSettings.RelativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(app)!);
        File.WriteAllText(app, AppSettings);
        Directory.CreateDirectory(Path.Combine(_root, "tests", "deep"));
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Without_local_settings_the_app_file_and_the_app_defaults_apply()
    {
        var settings = Load();

        Assert.Equal(("https://billing.test/app", "billing-api", "app-file-signing-key-0123456789abcdef0123"), (settings.Issuer, settings.Audience, settings.SigningKey));
        Assert.Equal(("sub", "roles", "billing.admin"), (settings.AccountClaim, settings.RoleClaim, settings.AdminRole));
    }

    [Fact]
    public void Values_of_local_settings_beside_the_solution_override_the_app_file_as_in_the_app()
    {
        WriteLocalSettings("""
            "FUNCTIONS_WORKER_RUNTIME": "dotnet-isolated",
            "Auth__Issuer": "https://billing.test/mine",
            "auth__RoleClaim": "groups",
            "Auth__AdminRole": "ops",
            "Auth__AccountClaim": "",
            "Auth__Authority": ""
            """);

        var settings = Load();

        Assert.Equal(("https://billing.test/mine", "billing-api", "app-file-signing-key-0123456789abcdef0123"), (settings.Issuer, settings.Audience, settings.SigningKey));
        Assert.Equal(("sub", "groups", "ops"), (settings.AccountClaim, settings.RoleClaim, settings.AdminRole));
    }

    [Fact]
    public void An_authority_in_local_settings_is_refused_since_the_app_then_refuses_development_tokens()
    {
        WriteLocalSettings("""
            "Auth__Authority": "https://login.example.com/tenant/v2.0"
            """);

        Assert.False(DevelopmentAuthSettings.TryLoad(null, Path.Combine(_root, "tests", "deep"), out _, out var error));
        Assert.Contains("Auth:Authority", error, StringComparison.Ordinal);
        Assert.Contains(DevelopmentAuthSettings.LocalSettingsFileName, error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_key_in_local_settings_is_refused_though_the_app_file_has_a_good_one()
    {
        WriteLocalSettings("""
            "Auth__DevelopmentSigningKey": "short"
            """);

        Assert.False(DevelopmentAuthSettings.TryLoad(null, _root, out _, out var error));
        Assert.Contains("at least 32 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_local_settings_file_named_with_settings_is_read_on_its_own()
    {
        WriteLocalSettings("""
            "Auth__Issuer": "https://billing.test/only",
            "Auth__Audience": "only-api",
            "Auth__DevelopmentSigningKey": "local-file-signing-key-0123456789abcdef0123"
            """);

        Assert.True(DevelopmentAuthSettings.TryLoad(Path.Combine(_root, DevelopmentAuthSettings.LocalSettingsFileName), "/", out var settings, out var error), error);
        Assert.Equal(("https://billing.test/only", "only-api", "local-file-signing-key-0123456789abcdef0123"), (settings.Issuer, settings.Audience, settings.SigningKey));
    }

    [Fact]
    public void Exported_auth_variables_override_both_files_as_in_the_app()
    {
        WriteLocalSettings("""
            "Auth__Issuer": "https://billing.test/mine",
            "Auth__AdminRole": "ops"
            """);
        var environment = new Dictionary<string, string?>
        {
            ["Auth__Issuer"] = "https://billing.test/exported",
            ["AUTH__AUDIENCE"] = "exported-api",
            ["Auth__DevelopmentSigningKey"] = "exported-signing-key-0123456789abcdef0123",
            ["Auth__AccountClaim"] = "org_id",
            ["Auth__RoleClaim"] = "",
            ["AuthorityHint"] = "not an Auth__ variable",
        };

        Assert.True(DevelopmentAuthSettings.TryLoad(null, Path.Combine(_root, "tests", "deep"), out var settings, out var error, environment), error);

        Assert.Equal(("https://billing.test/exported", "exported-api", "exported-signing-key-0123456789abcdef0123"), (settings.Issuer, settings.Audience, settings.SigningKey));
        Assert.Equal(("org_id", "roles", "ops"), (settings.AccountClaim, settings.RoleClaim, settings.AdminRole));
    }

    [Fact]
    public void An_exported_authority_is_refused_since_the_app_then_refuses_development_tokens()
    {
        var environment = new Dictionary<string, string?> { ["Auth__Authority"] = "https://login.example.com/tenant/v2.0" };

        Assert.False(DevelopmentAuthSettings.TryLoad(null, _root, out _, out var error, environment));
        Assert.Contains("Auth:Authority", error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_names_the_layer_that_set_the_value_not_every_layer_read()
    {
        // The app file sets no Authority; naming it beside the exported variables ("'.../appsettings.Development.json'
        // and 'the exported Auth__ variables' sets Auth:Authority") sent the developer to a file that does not set it.
        var environment = new Dictionary<string, string?> { ["Auth__Authority"] = "https://login.example.com/tenant/v2.0" };
        Assert.False(DevelopmentAuthSettings.TryLoad(null, _root, out _, out var exported, environment));
        Assert.Equal("'the exported Auth__ variables' sets Auth:Authority: the app accepts only that identity provider's tokens, so a development token would be refused.", exported);

        WriteLocalSettings("""
            "Auth__DevelopmentSigningKey": "short"
            """);
        Assert.False(DevelopmentAuthSettings.TryLoad(null, _root, out _, out var shortKey, new Dictionary<string, string?> { ["Auth__Issuer"] = "https://billing.test/exported" }));
        Assert.Equal($"'{Path.Combine(_root, DevelopmentAuthSettings.LocalSettingsFileName)}': Auth:DevelopmentSigningKey must be at least 32 bytes for HS256.", shortKey);
    }

    private DevelopmentAuthSettings Load()
    {
        Assert.True(DevelopmentAuthSettings.TryLoad(null, Path.Combine(_root, "tests", "deep"), out var settings, out var error), error);
        return settings;
    }

    private void WriteLocalSettings(string values) =>
        File.WriteAllText(Path.Combine(_root, DevelopmentAuthSettings.LocalSettingsFileName), $$"""
            { "IsEncrypted": false, "Values": { {{values}} } }
            """);
}
