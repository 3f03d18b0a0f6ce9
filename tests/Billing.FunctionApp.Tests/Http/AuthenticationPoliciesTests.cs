using System.Security.Claims;
using Billing.FunctionApp.Http;
using Billing.TestSupport;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Internal;

namespace Billing.FunctionApp.Tests.Http;

/// <summary>
/// The user and admin policies as the app registers them (<see cref="Authentication.AddBillingAuthentication"/>), applied
/// to validated tokens' claims: only a token issued for a signed-in user passes, never an app-only one, whatever account
/// claim or role it carries.
/// </summary>
public sealed class AuthenticationPoliciesTests : IDisposable
{
    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private static readonly string[] UserAndAdmin = [Authentication.UserPolicy, Authentication.AdminPolicy];

    private readonly ServiceProvider _app = App(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
    {
        ["Auth:Issuer"] = "https://billing.local/dev",
        ["Auth:Audience"] = "billing-api",
        ["Auth:DevelopmentSigningKey"] = "local-development-only-signing-key-0123456789abcdef",
        ["Billing:ServiceAuth:Scope"] = ServiceCredentials.Scope,
        ["Billing:ServiceAuth:ClientIds:0"] = ServiceCredentials.ClientId,
    }).Build());

    /// <summary>
    /// App-only tokens (claims as type, value, type, value, ...), each also carrying the admin role and a usable
    /// <c>sub</c>: without the app-only check both policies would pass them.
    /// </summary>
    public static TheoryData<string, string[]> AppOnlyTokens => new()
    {
        { "Entra ID client credentials with idtyp=app, from any client of the tenant", ["sub", "5f2b1c9e-sp", "tid", Tenant, "azp", "any-tenant-app", "idtyp", "app", "roles", "billing.admin"] },
        { "the product backend's client credentials (azp is a service client)", ["sub", ServiceCredentials.ClientId, "azp", ServiceCredentials.ClientId, "scope", ServiceCredentials.Scope, "roles", "billing.admin"] },
        { "an Entra ID v1 client-credentials token of the service client (appid)", ["sub", "5f2b1c9e-sp", "appid", ServiceCredentials.ClientId, "roles", "billing.admin"] },
        { "Entra ID client credentials without idtyp: roles, no scp", ["sub", "5f2b1c9e-sp", "tid", Tenant, "azp", "any-tenant-app", "roles", "billing.admin"] },
        { "Okta client credentials of the service client (cid, scp)", ["ver", "1", "sub", ServiceCredentials.ClientId, "cid", ServiceCredentials.ClientId, "scp", ServiceCredentials.Scope, "roles", "billing.admin"] },
    };

    /// <summary>Tokens issued for a signed-in user, each with the admin role.</summary>
    public static TheoryData<string, string[]> UserTokens => new()
    {
        { "Entra ID delegated (scp)", ["sub", "user-1", "tid", Tenant, "azp", "billing-frontend", "scp", "access_as_user", "roles", "billing.admin"] },
        { "Entra ID delegated through the service client's registration (scp)", ["sub", "user-2", "tid", Tenant, "azp", ServiceCredentials.ClientId, "scp", "access_as_user", "roles", "billing.admin"] },
        { "Entra ID with idtyp=user", ["sub", "user-3", "tid", Tenant, "azp", ServiceCredentials.ClientId, "idtyp", "user", "scp", "access_as_user", "roles", "billing.admin"] },
        { "the local development issuer's (billing token --account, /dev/token)", ["sub", "user-4", "roles", "billing.admin"] },
        { "another provider's, from a client that is no service client", ["sub", "user-5", "azp", "billing-frontend", "scope", "openid profile", "roles", "billing.admin"] },
    };

    public void Dispose() => _app.Dispose();

    [Theory]
    [MemberData(nameof(AppOnlyTokens))]
    public async Task An_app_only_token_is_refused_by_the_user_and_the_admin_policy_saying_why(string shape, string[] claims)
    {
        foreach (var policy in UserAndAdmin)
        {
            var decision = await AuthorizeAsync(claims, policy);

            Assert.False(decision.Succeeded, $"{policy} accepted {shape}");
            var refusal = Assert.Single(decision.Failure!.FailureReasons.OfType<AppOnlyTokenRefusal>());
            Assert.Equal(AppOnlyTokenRefusal.Detail, refusal.Message);
        }
    }

    [Theory]
    [MemberData(nameof(UserTokens))]
    public async Task A_users_token_is_accepted_by_the_user_policy_and_with_the_admin_role_by_the_admin_policy(string shape, string[] claims)
    {
        foreach (var policy in UserAndAdmin)
        {
            Assert.True((await AuthorizeAsync(claims, policy)).Succeeded, $"{policy} refused {shape}");
        }
    }

    [Theory]
    [MemberData(nameof(UserTokens))]
    public async Task A_users_token_without_the_admin_role_is_refused_by_the_admin_policy_for_that_alone(string shape, string[] claims)
    {
        string[] withoutRole = [.. claims.Chunk(2).Where(c => c[0] != "roles").SelectMany(c => c)];

        var decision = await AuthorizeAsync(withoutRole, Authentication.AdminPolicy);

        Assert.False(decision.Succeeded, shape);
        Assert.Empty(decision.Failure!.FailureReasons.OfType<AppOnlyTokenRefusal>());
        Assert.True((await AuthorizeAsync(withoutRole, Authentication.UserPolicy)).Succeeded, shape);
    }

    [Fact]
    public async Task With_the_development_settings_billing_tokens_users_pass_and_its_service_tokens_do_not()
    {
        using var development = App(new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(RepoPaths.RepoRoot, "src", "Billing.FunctionApp", "appsettings.Development.json"))
            .Build());
        string[] user = ["sub", "ops-1", "roles", "billing.admin"]; // billing token --account ops-1 --admin, or /dev/token
        string[] service = ["sub", "org-7", "scope", "billing.usage", "azp", "billing-cli"]; // billing token --scope billing.usage --account org-7

        foreach (var policy in UserAndAdmin)
        {
            Assert.True((await AuthorizeAsync(development, user, policy)).Succeeded, policy);
            Assert.Single((await AuthorizeAsync(development, service, policy)).Failure!.FailureReasons.OfType<AppOnlyTokenRefusal>());
        }
    }

    private static ServiceProvider App(IConfiguration configuration) => new ServiceCollection()
        .AddLogging()
        .AddBillingAuthentication(configuration, new HostingEnvironment { EnvironmentName = "Development" })
        .BuildServiceProvider();

    private Task<AuthorizationResult> AuthorizeAsync(string[] claims, string policy) => AuthorizeAsync(_app, claims, policy);

    private static Task<AuthorizationResult> AuthorizeAsync(IServiceProvider app, string[] claims, string policy)
    {
        var token = new ClaimsPrincipal(new ClaimsIdentity(claims.Chunk(2).Select(c => new Claim(c[0], c[1])), "AuthenticationTypes.Federation"));
        var http = new DefaultHttpContext { RequestServices = app, User = token };
        return app.GetRequiredService<IAuthorizationService>().AuthorizeAsync(token, http, policy);
    }
}
