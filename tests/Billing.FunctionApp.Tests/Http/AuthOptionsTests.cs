using Billing.FunctionApp.Tests.Startup;
using Billing.TestSupport;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>The <c>Auth</c> settings are checked when the worker starts: a setting the app cannot work with stops it, naming the setting.</summary>
public sealed class AuthOptionsTests
{
    private static readonly string AppDirectory = Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp");

    [Theory]
    [InlineData("Auth__RoleClaim", "", "Auth:RoleClaim")]
    [InlineData("Auth__RoleClaim", " ", "Auth:RoleClaim")]
    [InlineData("Auth__AdminRole", "", "Auth:AdminRole")]
    [InlineData("Auth__AdminRole", "  ", "Auth:AdminRole")]
    public void An_empty_role_claim_or_admin_role_stops_the_start_naming_the_setting(string setting, string value, string named)
    {
        // Bound as set ("" is not the default): the admin check would then look for an empty role, or in no claim at all,
        // and every operator call would be refused with a 403 instead of the app refusing to start.
        var settings = SampleSettings.Read();
        settings[setting] = value;

        var failure = WorkerStartup.Failure(AppDirectory, "Development", settings);

        Assert.NotNull(failure);
        Assert.Contains(named, failure, StringComparison.Ordinal);
    }
}
