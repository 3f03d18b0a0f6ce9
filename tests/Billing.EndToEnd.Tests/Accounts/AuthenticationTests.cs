using System.Net;
using System.Text;
using Billing.Cli.Tokens;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Accounts;

/// <summary>Every user endpoint needs a valid token (signature, lifetime, audience, issuer) issued for a user (never app-only) naming a usable account.</summary>
[Collection(BillingApiTestGroup.Name)]
public sealed class AuthenticationTests(BillingApiFixture api)
{
    public static TheoryData<string, string> UserEndpoints => new()
    {
        { "GET", "/api/billing/subscription" },
        { "POST", "/api/billing/checkout" },
        { "POST", "/api/billing/portal" },
        { "POST", "/api/billing/trial" },
    };

    /// <summary>The one detail of every app-only token's 403: fixed, nothing of the token in it.</summary>
    private const string AppOnlyDetail = "A signed-in user's token is required: this token was issued to an application acting for itself (app-only, such as client credentials).";

    public static TheoryData<string, string> BadTokens => new()
    {
        { "wrong signature", "The token signature is not valid." },
        { "expired", "The token has expired." },
        { "wrong audience", "The token is not meant for this API (audience)." },
        { "wrong issuer", "The token was issued by an untrusted issuer." },
        { "unsigned", "The token signature is not valid." },
        { "garbage", "The token is not a well-formed JWT." },
        { "three segments, not a JWT", "The token is not a well-formed JWT." },
        { "not valid yet", "The token is not valid yet (nbf)." },
        { "no expiry", "The token has no expiry (exp)." },
    };

    [Theory]
    [MemberData(nameof(UserEndpoints))]
    public async Task Without_a_token_every_user_endpoint_answers_401_problem(string method, string path)
    {
        var response = await api.SendAsync(new HttpMethod(method), path, token: null, json: method == "POST" ? """{"plan":"PRO","interval":"month"}""" : null);

        var problem = response.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Equal("A bearer token is required.", problem.GetProperty("detail").GetString());
        Assert.Equal("Bearer", response.Header("WWW-Authenticate"));
    }

    [Theory]
    [MemberData(nameof(BadTokens))]
    public async Task A_bad_token_answers_401_problem_and_nothing_is_written(string kind, string detail)
    {
        var accountId = BillingApiFixture.NewAccountId();

        var response = await api.PostAsync("/api/billing/checkout", BadToken(kind, accountId), """{"plan":"PRO","interval":"month"}""");
        var trial = await api.PostAsync("/api/billing/trial", BadToken(kind, accountId));

        var problem = response.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Equal(detail, problem.GetProperty("detail").GetString());
        Assert.StartsWith("Bearer error=\"invalid_token\"", response.Header("WWW-Authenticate"), StringComparison.Ordinal);
        trial.ShouldBeProblem(HttpStatusCode.Unauthorized);
        Assert.Empty(await api.AccountDocumentsOfAsync(accountId));
        Assert.Empty(await api.StripeCustomersOfAsync(accountId));
    }

    [Theory]
    [InlineData("email", null, "The token has no 'sub' claim to name its billing account (Auth:AccountClaim).")] // the token names no account at all
    [InlineData("sub", "tenant/with/slashes", "The token's 'sub' claim is not a usable billing account id: An account id must not contain '/'")]
    [InlineData("sub", " padded ", "The token's 'sub' claim is not a usable billing account id: An account id must not start or end with white space.")]
    public async Task A_valid_token_without_a_usable_account_claim_answers_403_problem_naming_the_claim(string claim, string? value, string detail)
    {
        var token = api.Token(value ?? "someone@example.com", r => r with { AccountClaim = claim });

        foreach (var (method, path) in new[] { ("GET", "/api/billing/subscription"), ("POST", "/api/billing/checkout"), ("POST", "/api/billing/trial") })
        {
            var response = await api.SendAsync(new HttpMethod(method), path, token, method == "POST" ? """{"plan":"PRO","interval":"month"}""" : null);

            Assert.StartsWith(detail, response.ShouldBeProblem(HttpStatusCode.Forbidden).GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.DoesNotContain(value ?? "someone@example.com", response.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_401_without_a_token_names_the_usual_wrong_turns()
    {
        using var wrongScheme = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/billing/subscription", UriKind.Relative));
        wrongScheme.Headers.TryAddWithoutValidation("Authorization", api.Token(BillingApiFixture.NewAccountId()));
        using var answered = await api.App.Http.SendAsync(wrongScheme);
        var bare = await ApiResponse.ReadAsync(answered);
        var apiKey = await api.ServiceAsync(HttpMethod.Get, "/api/billing/subscription");

        Assert.Equal("A bearer token is required: send the header as 'Authorization: Bearer <token>'.", bare.ShouldBeProblem(HttpStatusCode.Unauthorized).GetProperty("detail").GetString());
        Assert.StartsWith("A bearer token is required: this function acts for a signed-in user (an X-Api-Key key is for the service functions", apiKey.ShouldBeProblem(HttpStatusCode.Unauthorized).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string?> AdminFunctions => new()
    {
        { "GET", "/api/billing/admin/poison", null },
        { "POST", "/api/billing/admin/poison/replay", """{"all":true}""" },
        { "POST", "/api/billing/admin/accounts/someone/resync", null },
    };

    [Theory]
    [MemberData(nameof(AdminFunctions))]
    public async Task Every_admin_function_answers_403_to_a_user_token_and_401_without_one(string method, string path, string? json)
    {
        var user = await api.SendAsync(new HttpMethod(method), path, api.Token(BillingApiFixture.NewAccountId()), json);
        var anonymous = await api.SendAsync(new HttpMethod(method), path, token: null, json);

        var problem = user.ShouldBeProblem(HttpStatusCode.Forbidden);
        Assert.Equal("forbidden", problem.GetProperty("code").GetString());
        Assert.Equal("The token lacks the admin role: 'billing.admin' in its 'roles' claim (Auth:AdminRole, Auth:RoleClaim).", problem.GetProperty("detail").GetString());
        anonymous.ShouldBeProblem(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task An_app_only_token_answers_403_problem_on_user_and_admin_endpoints_where_a_users_token_answers_200()
    {
        // The product backend's client-credentials token names the client in sub (a usable account id) and azp.
        var clientCredentials = api.Token(ServiceCredentials.ClientId, r => r with { Scopes = [ServiceCredentials.Scope], AuthorizedParty = ServiceCredentials.ClientId });
        // Any app of an Entra ID tenant: sub is its service principal, the app permission billing.admin in roles, idtyp=app.
        var entraAppOnlyAdmin = api.Token("0b7c4f2e-service-principal", r => r with
        {
            Roles = ["billing.admin"],
            AuthorizedParty = "any-tenant-app",
            OtherClaims = [("tid", "72f988bf-86f1-41af-91ab-2d7cd011db47"), ("idtyp", "app")],
        });
        var adminAccounts = $"/api/billing/admin/accounts?q={BillingApiFixture.NewAccountId()}&limit=1";

        var serviceOnUser = await api.GetAsync("/api/billing/subscription", clientCredentials);
        var appOnlyOnUser = await api.GetAsync("/api/billing/subscription", entraAppOnlyAdmin);
        var appOnlyOnAdmin = await api.GetAsync(adminAccounts, entraAppOnlyAdmin);
        var user = await api.GetAsync("/api/billing/subscription", api.Token(BillingApiFixture.NewAccountId()));
        var admin = await api.GetAsync(adminAccounts, api.Token(BillingApiFixture.NewAccountId(), r => r with { Roles = ["billing.admin"] }));

        foreach (var refused in new[] { serviceOnUser, appOnlyOnUser, appOnlyOnAdmin })
        {
            var problem = refused.ShouldBeProblem(HttpStatusCode.Forbidden);
            Assert.Equal("forbidden", problem.GetProperty("code").GetString());
            Assert.Equal(AppOnlyDetail, problem.GetProperty("detail").GetString());
            Assert.DoesNotContain(ServiceCredentials.ClientId, refused.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("any-tenant-app", refused.Body, StringComparison.Ordinal);
        }

        user.ShouldBe(HttpStatusCode.OK);
        admin.ShouldBe(HttpStatusCode.OK);
        // Logged with what showed it and the client's id; the token itself never.
        await api.App.WaitForOutputAsync($"BillingSubscription: refused an app-only token (ServiceClient) of client {ServiceCredentials.ClientId}");
        await api.App.WaitForOutputAsync("AdminListAccounts: refused an app-only token (IdentityType) of client any-tenant-app");
        Assert.False(api.App.Logged(clientCredentials), "a token was logged");
        Assert.False(api.App.Logged(entraAppOnlyAdmin), "a token was logged");
    }

    [Fact]
    public async Task A_valid_token_is_accepted()
    {
        (await api.GetAsync("/api/billing/subscription", api.Token(BillingApiFixture.NewAccountId()))).ShouldBe(HttpStatusCode.OK);
    }

    private string BadToken(string kind, string accountId) => kind switch
    {
        "wrong signature" => api.Token(accountId, r => r with { SigningKey = "another-signing-key-that-is-long-enough-0123456789" }),
        "expired" => api.Token(accountId, r => r with { IssuedAt = DateTimeOffset.UtcNow.AddHours(-3), Lifetime = TimeSpan.FromHours(1) }),
        "wrong audience" => api.Token(accountId, r => r with { Audience = "some-other-api" }),
        "wrong issuer" => api.Token(accountId, r => r with { Issuer = "https://issuer.example/evil" }),
        "unsigned" => Unsigned(accountId),
        "garbage" => "not-a-jwt",
        "three segments, not a JWT" => "abc.def.ghi", // three dot-separated parts, none of them base64url JSON
        "not valid yet" => api.Token(accountId, r => r with { IssuedAt = DateTimeOffset.UtcNow.AddMinutes(10) }), // nbf past the 60 s skew: an issuer whose clock runs ahead
        "no expiry" => api.Token(accountId, r => r with { Lifetime = null }), // signed with the development key, every other claim right
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>A well-formed token with <c>alg: none</c> and every claim right: only the signature is missing.</summary>
    private string Unsigned(string accountId)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Base64Url("""{"alg":"none","typ":"JWT"}""");
        var payload = Base64Url($$"""{"sub":"{{accountId}}","iss":"{{api.Auth.Issuer}}","aud":"{{api.Auth.Audience}}","iat":{{now}},"nbf":{{now}},"exp":{{now + 3600}}}""");
        return $"{header}.{payload}.";
    }

    private static string Base64Url(string json) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
