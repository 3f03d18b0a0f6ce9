using System.Net;
using System.Net.Http.Headers;
using Billing.EndToEnd.Tests.Support;
using Billing.TestSupport;

namespace Billing.EndToEnd.Tests.Auth;

/// <summary>
/// Authentication on its production path: RS256 tokens whose keys come from the authority's discovery document and
/// JWKS (a local stand-in provider), the provider's key rollover, and the development key refused outside Development.
/// </summary>
public sealed class OidcAuthenticationTests : IAsyncLifetime
{
    private const string Audience = "billing-api";
    private readonly OidcProviderStub _provider = new();
    private FunctionAppProcess _app = null!;

    public async Task InitializeAsync()
    {
        var settings = FunctionAppSettings.ForEmulators(await LocalEmulators.GetAsync());
        settings["Auth__Authority"] = _provider.Authority;
        settings["Auth__Issuer"] = _provider.Issuer;
        settings["Auth__Audience"] = Audience;
        settings["Auth__DevelopmentSigningKey"] = "";
        settings["Auth__MetadataRefreshInterval"] = "00:00:01";
        _app = await FunctionAppProcess.StartAsync(settings);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
    }

    [Fact]
    public async Task A_token_signed_with_the_providers_published_key_is_accepted()
    {
        var response = await GetSubscriptionAsync(_provider.Token(Audience, "oidc-user-1"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_symmetric_development_token_is_refused_when_an_authority_is_configured()
    {
        var token = Billing.Cli.Tokens.DevelopmentTokenFactory.Create(new Billing.Cli.Tokens.DevelopmentTokenFactory.Request
        {
            Issuer = _provider.Issuer,
            Audience = Audience,
            SigningKey = "local-development-only-signing-key-0123456789abcdef",
            AccountClaim = "sub",
            AccountId = "oidc-user-2",
        });

        var response = await GetSubscriptionAsync(token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task After_the_provider_rolls_its_key_over_tokens_signed_with_the_new_key_are_accepted_without_a_restart()
    {
        Assert.Equal(HttpStatusCode.OK, (await GetSubscriptionAsync(_provider.Token(Audience, "oidc-user-3"))).StatusCode);
        var fetches = _provider.KeySetFetches;

        _provider.RollOver();

        // An unknown key id makes the app re-fetch the JWKS (at most once per MetadataRefreshInterval, here 1 s); the
        // fetch completes in the background, so a request signed with the brand-new key may be refused meanwhile.
        await Eventually.UntilAsync(
            async () => (await GetSubscriptionAsync(_provider.Token(Audience, "oidc-user-3"))).StatusCode == HttpStatusCode.OK,
            "a token signed with the new key to be accepted",
            TimeSpan.FromSeconds(10));
        Assert.True(_provider.KeySetFetches > fetches, "the app did not fetch the new keys");
        // Tokens of the retired key stay valid until they expire: IdentityModel keeps the last known good keys a while.
    }

    [Fact]
    public async Task While_the_providers_keys_cannot_be_fetched_a_token_is_not_called_invalid_the_answer_is_503_with_retry_after()
    {
        using var down = FreePort.Refusing();
        var settings = FunctionAppSettings.ForEmulators(await LocalEmulators.GetAsync());
        settings["Auth__Authority"] = down.Url.AbsoluteUri.TrimEnd('/');
        settings["Auth__Issuer"] = _provider.Issuer;
        settings["Auth__Audience"] = Audience;
        settings["Auth__DevelopmentSigningKey"] = "";
        await using var app = await FunctionAppProcess.StartAsync(settings);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/billing/subscription", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _provider.Token(Audience, "oidc-user-4"));

        using var response = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Contains("\"unavailable\"", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await GetSubscriptionAsync(_provider.Token(Audience, "oidc-user-4"))).StatusCode); // the app whose provider answers
    }

    [Fact]
    public async Task Outside_Development_the_development_signing_key_stops_the_app_at_start_up_with_a_clear_message()
    {
        var settings = FunctionAppSettings.ForEmulators(await LocalEmulators.GetAsync());
        settings["AZURE_FUNCTIONS_ENVIRONMENT"] = "Production";
        settings["Auth__Issuer"] = "https://billing.local/dev";
        settings["Auth__Audience"] = Audience;
        settings["Auth__DevelopmentSigningKey"] = "local-development-only-signing-key-0123456789abcdef";

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => FunctionAppProcess.StartAsync(settings));

        Assert.Contains("Auth:DevelopmentSigningKey is only accepted in the Development environment", failure.Message, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> GetSubscriptionAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("api/billing/subscription", UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await _app.Http.SendAsync(request);
    }
}
