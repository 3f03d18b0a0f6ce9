using System.Security.Claims;
using Billing.FunctionApp.Http;

namespace Billing.FunctionApp.Tests.Http;

public sealed class ServiceCallerCheckTests
{
    private const string UsageKey = "usage-service-key-0123456789";
    private const string ReportsKey = "reports-service-key-9876543210";

    private const string Tenant = "72f988bf-86f1-41af-91ab-2d7cd011db47";

    private static readonly ServiceCallerCheck Check = new(Options(("usage", ServiceCallerCheck.Hash(UsageKey)), ("reports", ServiceCallerCheck.Hash(ReportsKey))));

    private static readonly ServiceCallerCheck ClientCheck = new(new ServiceAuthOptions { ClientIds = { "backend" } });

    [Fact]
    public void The_hash_is_the_lower_case_hex_sha256_of_the_utf8_key()
    {
        Assert.Equal("b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a", ServiceCallerCheck.Hash("local-development-usage-key"));
        Assert.Equal("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", ServiceCallerCheck.Hash(""));
        Assert.Equal(ServiceCallerCheck.Hash("clé"), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData("clé"u8)));
    }

    [Fact]
    public void A_configured_key_names_its_service()
    {
        Assert.Equal("usage", Check.MatchApiKey(UsageKey));
        Assert.Equal("reports", Check.MatchApiKey(ReportsKey));
    }

    [Theory]
    [InlineData("wrong-key")]
    [InlineData("")]
    [InlineData("usage-service-key-012345678")]
    [InlineData("usage-service-key-0123456789 ")]
    [InlineData("b21cd3df75e4b72fc266c8657311dbe9d0a5c322ba28998dddefb66146f2f01a")]
    public void Any_other_key_matches_nothing(string presented) =>
        Assert.Null(Check.MatchApiKey(presented));

    [Fact]
    public void Keys_are_case_sensitive() =>
        Assert.Null(Check.MatchApiKey(UsageKey.ToUpperInvariant()));

    [Fact]
    public void The_configured_hash_may_be_upper_case()
    {
        var check = new ServiceCallerCheck(Options(("usage", ServiceCallerCheck.Hash(UsageKey).ToUpperInvariant())));

        Assert.Equal("usage", check.MatchApiKey(UsageKey));
        Assert.Null(check.MatchApiKey(ReportsKey));
    }

    [Fact]
    public void Without_configured_keys_no_key_matches() =>
        Assert.Null(new ServiceCallerCheck(new ServiceAuthOptions()).MatchApiKey(UsageKey));

    [Theory]
    [InlineData("billing.usage")]
    [InlineData("openid billing.usage profile")]
    [InlineData("  billing.usage  ")]
    public void The_scope_may_be_any_of_the_scope_claims_values(string scope) =>
        Assert.True(Check.HasScope(Token(("scope", scope))));

    [Fact]
    public void The_scope_may_be_an_application_permission_in_roles_as_Entra_ID_issues_client_credentials_tokens() =>
        Assert.True(Check.HasScope(Token(("roles", "reports.read"), ("roles", "billing.usage"))));

    [Theory]
    [InlineData("idtyp", "user", "idtyp is 'user'")]
    [InlineData("idtyp", "device", "idtyp is 'device'")]
    [InlineData("scp", "billing.usage", "delegated scopes (scp)")]
    public void A_token_issued_for_a_user_shows_it(string type, string value, string evidence) =>
        Assert.Contains(evidence, ServiceCallerCheck.UserEvidence(Token(("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ("azp", "backend"), (type, value))), StringComparison.Ordinal);

    [Fact]
    public void App_only_tokens_show_no_user()
    {
        Assert.Null(ServiceCallerCheck.UserEvidence(Token(("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ("azp", "backend"), ("roles", "billing.usage")))); // Entra ID client credentials
        Assert.Null(ServiceCallerCheck.UserEvidence(Token(("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ("idtyp", "app"), ("roles", "billing.usage"))));
        Assert.Null(ServiceCallerCheck.UserEvidence(Token(("cid", "backend"), ("sub", "backend"), ("scp", "billing.usage")))); // Okta client credentials
        Assert.Null(ServiceCallerCheck.UserEvidence(Token(("azp", "billing-cli"), ("scope", "billing.usage"))));
    }

    [Theory]
    [InlineData(nameof(AppOnlySign.IdentityType), "idtyp", "app", "tid", Tenant, "azp", "any-tenant-app")]
    [InlineData(nameof(AppOnlySign.IdentityType), "idtyp", "APP", "azp", "any-app")]
    [InlineData(nameof(AppOnlySign.EntraWithoutDelegatedScopes), "tid", Tenant, "azp", "any-tenant-app", "roles", "billing.usage")]
    [InlineData(nameof(AppOnlySign.EntraWithoutDelegatedScopes), "tid", Tenant, "azp", "any-tenant-app")] // granted no application permission
    [InlineData(nameof(AppOnlySign.ServiceClient), "azp", "backend", "scope", "billing.usage")]
    [InlineData(nameof(AppOnlySign.ServiceClient), "client_id", "backend")]
    [InlineData(nameof(AppOnlySign.ServiceClient), "cid", "backend", "sub", "backend", "appid", "backend", "scp", "billing.usage")] // scp read only in an Entra ID token
    public void An_app_only_token_shows_what_makes_it_one(string expected, params string[] claims) =>
        Assert.Equal(expected, ClientCheck.AppOnlyEvidence(Token(claims))?.ToString());

    [Theory]
    [InlineData("sub", "user-1")] // the local development issuer's user token
    [InlineData("sub", "user-1", "azp", "billing-frontend", "scope", "openid")]
    [InlineData("sub", "user-1", "tid", Tenant, "azp", "backend", "scp", "access_as_user")] // signed in through the service client's registration
    [InlineData("sub", "user-1", "idtyp", "user", "azp", "backend")]
    [InlineData("sub", "user-1", "tid", Tenant, "azp", "billing-frontend", "scp", "access_as_user", "roles", "billing.admin")]
    public void A_users_token_shows_no_app_only_sign(params string[] claims) =>
        Assert.Null(ClientCheck.AppOnlyEvidence(Token(claims)));

    [Fact]
    public void A_token_claiming_both_app_only_and_delegated_scopes_is_taken_as_neither()
    {
        var token = Token("idtyp", "app", "tid", Tenant, "azp", "backend", "scp", "billing.usage");

        Assert.Equal(AppOnlySign.IdentityType, ClientCheck.AppOnlyEvidence(token));
        Assert.NotNull(ServiceCallerCheck.UserEvidence(token));
    }

    [Theory]
    [InlineData("azp", "backend")]
    [InlineData("azp", "backend", "tid", Tenant, "roles", "billing.usage")]
    [InlineData("azp", "backend", "idtyp", "app")]
    [InlineData("appid", "backend", "tid", Tenant)]
    [InlineData("azp", "backend", "tid", Tenant, "scp", "billing.usage")]
    [InlineData("azp", "backend", "idtyp", "user")]
    [InlineData("azp", "backend", "tid", Tenant, "idtyp", "user", "scp", "billing.usage")]
    public void A_service_clients_token_is_a_services_or_a_users_never_both(params string[] claims)
    {
        var token = Token(claims);
        var takenAsService = ClientCheck.IsServiceClient(token) && ServiceCallerCheck.UserEvidence(token) is null;
        var takenAsUser = ClientCheck.AppOnlyEvidence(token) is null;

        Assert.NotEqual(takenAsService, takenAsUser);
    }

    [Fact]
    public void The_scope_may_be_in_any_scp_claim()
    {
        Assert.True(Check.HasScope(Token(("scp", "reports.read"), ("scp", "billing.usage"))));
        Assert.True(Check.HasScope(Token(("scp", "reports.read billing.usage"))));
    }

    [Theory]
    [InlineData("scope", "openid profile")]
    [InlineData("scope", "billing.usage.read")]
    [InlineData("scope", "Billing.Usage")]
    [InlineData("scope", "billing")]
    [InlineData("scp", "billing.usage2")]
    [InlineData("roles", "billing.usage.read")]
    [InlineData("scopes", "billing.usage")]
    public void Without_the_scope_the_token_is_no_service_token(string type, string value) =>
        Assert.False(Check.HasScope(Token(("sub", "user-1"), (type, value))));

    [Fact]
    public void A_token_without_any_scope_claim_is_no_service_token() =>
        Assert.False(Check.HasScope(Token(("sub", "ops-1"), ("roles", "billing.admin"))));

    [Fact]
    public void The_configured_scope_is_the_one_checked()
    {
        var check = new ServiceCallerCheck(new ServiceAuthOptions { Scope = "api://billing/usage" });

        Assert.True(check.HasScope(Token(("scp", "api://billing/usage"))));
        Assert.False(check.HasScope(Token(("scope", "billing.usage"))));
    }

    [Theory]
    [InlineData("azp", "product-backend")]
    [InlineData("client_id", "product-backend")]
    [InlineData("appid", "reports-job")]
    public void A_token_issued_to_a_configured_client_is_a_service_clients(string type, string client)
    {
        var options = new ServiceAuthOptions { ClientIds = { "product-backend", "reports-job" } };

        Assert.True(new ServiceCallerCheck(options).IsServiceClient(Token(("sub", "anyone"), (type, client))));
        Assert.Equal(client, ServiceCallerCheck.ClientOf(Token((type, client))));
    }

    [Fact]
    public void An_Okta_client_credentials_token_names_its_client_in_cid_and_is_a_service_clients_never_a_users()
    {
        // Okta's access tokens name the client in cid (no azp, client_id or appid) and carry the scopes as a scp array;
        // a client-credentials token's sub is the client id, a user's token adds uid.
        var options = new ServiceAuthOptions { ClientIds = { "0oa1backend" } };
        var check = new ServiceCallerCheck(options);
        var backend = Token(("ver", "1"), ("sub", "0oa1backend"), ("cid", "0oa1backend"), ("scp", "billing.usage"));
        var user = Token(("ver", "1"), ("sub", "alice@example.com"), ("uid", "00u1alice"), ("cid", "0oa1frontend"), ("scp", "openid"), ("scp", "profile"));

        Assert.True(check.IsServiceClient(backend), "the backend's Okta token is not taken as a service client's");
        Assert.Null(ServiceCallerCheck.UserEvidence(backend));
        Assert.Equal(AppOnlySign.ServiceClient, check.AppOnlyEvidence(backend));
        Assert.Equal("0oa1backend", ServiceCallerCheck.ClientOf(backend));
        Assert.False(check.IsServiceClient(user));
        Assert.Null(check.AppOnlyEvidence(user));
        Assert.Equal("0oa1frontend", ServiceCallerCheck.ClientOf(user));
    }

    [Theory]
    [InlineData("azp", "billing-frontend")]
    [InlineData("azp", "Product-Backend")]
    [InlineData("sub", "product-backend")]
    [InlineData("aud", "product-backend")]
    public void Any_other_token_is_no_service_clients_whatever_its_scope(string type, string value)
    {
        var options = new ServiceAuthOptions { ClientIds = { "product-backend" } };

        Assert.False(new ServiceCallerCheck(options).IsServiceClient(Token(("scope", "billing.usage"), (type, value))));
    }

    [Fact]
    public void Without_configured_clients_no_token_is_a_service_clients() =>
        Assert.False(Check.IsServiceClient(Token(("azp", "product-backend"), ("scope", "billing.usage"))));

    [Theory]
    [InlineData("metering-worker", "client-1", "client-2", "metering-worker")]
    [InlineData(null, "client-1", "client-2", "client-1")]
    [InlineData(null, null, "client-2", "client-2")]
    [InlineData(" ", "", "client-2", "client-2")]
    [InlineData(null, null, null, ServiceCallerCheck.UnnamedService)]
    public void A_token_names_its_service_by_sub_then_azp_then_client_id(string? sub, string? azp, string? clientId, string expected)
    {
        var claims = new[] { ("sub", sub), ("azp", azp), ("client_id", clientId) }.Where(c => c.Item2 is not null).Select(c => (c.Item1, c.Item2!));

        Assert.Equal(expected, ServiceCallerCheck.ServiceName(Token([.. claims])));
    }

    [Fact]
    public void The_service_principal_names_the_service_and_keeps_the_tokens_claims()
    {
        var token = Token(("sub", "metering-worker"), ("scope", "billing.usage"));

        var principal = new ServiceCaller("metering-worker", ServiceCaller.BearerCredential).ToPrincipal(token);

        Assert.Equal("metering-worker", principal.Identity!.Name);
        Assert.True(principal.Identity.IsAuthenticated);
        Assert.Equal(new ServiceCaller("metering-worker", ServiceCaller.BearerCredential), ServiceCaller.From(principal));
        Assert.Equal("billing.usage", principal.FindFirst("scope")!.Value);
    }

    [Fact]
    public void A_key_principal_names_the_key()
    {
        var principal = new ServiceCaller("usage", ServiceCaller.ApiKeyCredential).ToPrincipal();

        Assert.Equal("usage", principal.Identity!.Name);
        Assert.Equal(new ServiceCaller("usage", ServiceCaller.ApiKeyCredential), ServiceCaller.From(principal));
    }

    [Fact]
    public void A_token_carrying_service_claims_is_still_no_service_caller() =>
        Assert.Null(ServiceCaller.From(Token((ServiceCaller.NameClaim, "forged"), (ServiceCaller.CredentialClaim, ServiceCaller.ApiKeyCredential))));

    private static ServiceAuthOptions Options(params (string Name, string Sha256)[] keys)
    {
        var options = new ServiceAuthOptions();
        foreach (var (name, sha256) in keys)
        {
            options.ApiKeys.Add(new ServiceApiKeyOptions { Name = name, Sha256 = sha256 });
        }

        return options;
    }

    private static ClaimsPrincipal Token(params (string Type, string Value)[] claims) =>
        new(new ClaimsIdentity(claims.Select(c => new Claim(c.Type, c.Value)), "AuthenticationTypes.Federation"));

    /// <summary>A token of <paramref name="claims"/> given as type, value, type, value, ...</summary>
    private static ClaimsPrincipal Token(params string[] claims) =>
        Token([.. claims.Chunk(2).Select(c => (c[0], c[1]))]);
}
