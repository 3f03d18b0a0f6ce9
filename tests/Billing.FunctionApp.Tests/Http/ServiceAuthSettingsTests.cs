using Billing.FunctionApp.Http;
using Billing.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Options;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>The committed local settings and the test settings configure keys the app accepts, through the app's own registration.</summary>
public sealed class ServiceAuthSettingsTests
{
    private const string LocalKey = "local-development-usage-key";

    [Fact]
    public void The_sample_settings_accept_the_local_development_key()
    {
        var sample = SampleSettings.Read().ToDictionary(p => p.Key.Replace("__", ":", StringComparison.Ordinal), p => p.Value);

        var check = Registered(new ConfigurationBuilder().AddInMemoryCollection(sample).Build());

        Assert.Equal("local", check.MatchApiKey(LocalKey));
        Assert.Equal("billing.usage", check.Scope);
    }

    [Fact]
    public void The_development_appsettings_accept_the_local_development_key()
    {
        var path = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "appsettings.Development.json");

        var check = Registered(new ConfigurationBuilder().AddJsonFile(path).Build());

        Assert.Equal("local", check.MatchApiKey(LocalKey));
        Assert.Equal("billing.usage", check.Scope);
    }

    [Fact]
    public void The_test_settings_replace_the_local_key_with_the_test_key()
    {
        var path = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "appsettings.Development.json");
        var test = new Dictionary<string, string?>
        {
            ["Billing:ServiceAuth:ApiKeys:0:Name"] = ServiceCredentials.ApiKeyName,
            ["Billing:ServiceAuth:ApiKeys:0:Sha256"] = ServiceCredentials.ApiKeySha256,
            ["Billing:ServiceAuth:Scope"] = ServiceCredentials.Scope,
        };

        var check = Registered(new ConfigurationBuilder().AddJsonFile(path).AddInMemoryCollection(test).Build());

        Assert.Equal(ServiceCredentials.ApiKeyName, check.MatchApiKey(ServiceCredentials.ApiKey));
        Assert.Null(check.MatchApiKey(LocalKey));
        Assert.Equal(ServiceCallerCheck.Hash(ServiceCredentials.ApiKey), ServiceCredentials.ApiKeySha256);
    }

    [Fact]
    public void A_bad_hash_stops_the_app_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Billing:ServiceAuth:ApiKeys:0:Name"] = "usage",
            ["Billing:ServiceAuth:ApiKeys:0:Sha256"] = LocalKey,
        }).Build();

        var error = Assert.Throws<OptionsValidationException>(() => Registered(configuration));

        Assert.Contains("Billing:ServiceAuth:ApiKeys:0:Sha256", error.Message, StringComparison.Ordinal);
    }

    private static ServiceCallerCheck Registered(IConfiguration configuration)
    {
        var services = new ServiceCollection().AddBillingAuthentication(configuration, new HostingEnvironment { EnvironmentName = "Development" });
        using var provider = services.BuildServiceProvider();
        return provider.GetRequiredService<ServiceCallerCheck>();
    }
}
